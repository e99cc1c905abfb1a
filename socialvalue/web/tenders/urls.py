from django.urls import path

from socialvalue.web.tenders import views

app_name = "tenders"

urlpatterns = [
    # officers
    path("", views.tender_list, name="list"),
    path("new/", views.tender_create, name="create"),
    path("<int:tender_id>/", views.tender_detail, name="detail"),
    path("<int:tender_id>/edit/", views.tender_edit, name="edit"),
    path("<int:tender_id>/criteria/", views.tender_criteria, name="criteria"),
    path("<int:tender_id>/criteria/add/", views.criterion_add, name="criterion_add"),
    path(
        "<int:tender_id>/criteria/<int:criterion_id>/scoring/",
        views.criterion_scoring,
        name="criterion_scoring",
    ),
    path(
        "<int:tender_id>/criteria/<int:criterion_id>/delete/",
        views.criterion_delete,
        name="criterion_delete",
    ),
    path("<int:tender_id>/lots/", views.lots, name="lots"),
    path("<int:tender_id>/lots/<int:lot_id>/edit/", views.lot_edit, name="lot_edit"),
    path("<int:tender_id>/lots/<int:lot_id>/delete/", views.lot_delete, name="lot_delete"),
    path("<int:tender_id>/lots/<int:lot_id>/cancel/", views.lot_cancel, name="lot_cancel"),
    path(
        "<int:tender_id>/lots/<int:lot_id>/moderation/",
        views.moderation,
        name="lot_moderation",
    ),
    path("<int:tender_id>/lots/<int:lot_id>/award/", views.award, name="lot_award"),
    path(
        "<int:tender_id>/lots/<int:lot_id>/award/report.<str:fmt>",
        views.award_report,
        name="lot_award_report",
    ),
    path("<int:tender_id>/publish/", views.tender_publish, name="publish"),
    path("<int:tender_id>/close/", views.tender_close, name="close"),
    path("<int:tender_id>/evaluate/", views.tender_start_evaluation, name="start_evaluation"),
    path("<int:tender_id>/cancel/", views.tender_cancel, name="cancel"),
    path("<int:tender_id>/bids/<int:bid_id>/", views.bid_detail, name="bid_detail"),
    path(
        "<int:tender_id>/bids/<int:bid_id>/documents/<int:document_id>/",
        views.bid_document_for_buyer,
        name="bid_document_for_buyer",
    ),
    path("<int:tender_id>/documents/add/", views.document_add, name="document_add"),
    path(
        "<int:tender_id>/documents/<int:document_id>/",
        views.tender_document,
        name="tender_document",
    ),
    path(
        "<int:tender_id>/documents/<int:document_id>/remove/",
        views.document_remove,
        name="document_remove",
    ),
    path(
        "<int:tender_id>/clarifications/<int:clarification_id>/answer/",
        views.clarification_answer,
        name="clarification_answer",
    ),
    path("<int:tender_id>/evaluators/", views.evaluators, name="evaluators"),
    path(
        "<int:tender_id>/evaluators/<int:assignment_id>/remove/",
        views.evaluator_remove,
        name="evaluator_remove",
    ),
    path("<int:tender_id>/moderation/", views.moderation, name="moderation"),
    path(
        "<int:tender_id>/moderation/<int:bid_id>/<int:criterion_id>/",
        views.moderate,
        name="moderate",
    ),
    path(
        "<int:tender_id>/moderation/average/", views.moderation_average, name="moderation_average"
    ),
    path("<int:tender_id>/award/", views.award, name="award"),
    path("<int:tender_id>/award/report.<str:fmt>", views.award_report, name="award_report"),
    # evaluators
    path("evaluations/", views.evaluations, name="evaluations"),
    path("evaluations/<int:assignment_id>/", views.evaluation, name="evaluation"),
    path(
        "evaluations/<int:assignment_id>/score/<int:bid_id>/<int:criterion_id>/",
        views.score,
        name="score",
    ),
    path("evaluations/<int:assignment_id>/submit/", views.scores_submit, name="scores_submit"),
    path(
        "evaluations/<int:assignment_id>/documents/<int:document_id>/",
        views.evaluation_document,
        name="evaluation_document",
    ),
    # the public and suppliers
    path("opportunities/", views.opportunities, name="opportunities"),
    path("opportunities/<int:tender_id>/", views.opportunity, name="opportunity"),
    path(
        "opportunities/<int:tender_id>/register/",
        views.supplier_register,
        name="supplier_register",
    ),
    path("opportunities/<int:tender_id>/ask/", views.clarification_ask, name="ask"),
    path(
        "opportunities/<int:tender_id>/documents/<int:document_id>/",
        views.public_document,
        name="public_document",
    ),
    path(
        "opportunities/<int:tender_id>/bid/documents/add/",
        views.bid_document_add,
        name="bid_document_add",
    ),
    path(
        "opportunities/<int:tender_id>/bid/documents/<int:document_id>/",
        views.bid_document,
        name="bid_document",
    ),
    path(
        "opportunities/<int:tender_id>/bid/documents/<int:document_id>/remove/",
        views.bid_document_remove,
        name="bid_document_remove",
    ),
    path("opportunities/<int:tender_id>/bid/", views.bid, name="bid"),
    path("opportunities/<int:tender_id>/bid/submit/", views.bid_submit, name="bid_submit"),
    path("opportunities/<int:tender_id>/bid/withdraw/", views.bid_withdraw, name="bid_withdraw"),
    path("opportunities/<int:tender_id>/bid/summary/", views.bid_summary, name="bid_summary"),
    # a supplier's bid for one lot of a tender with lots
    path("opportunities/<int:tender_id>/lots/<int:lot_id>/bid/", views.bid, name="lot_bid"),
    path(
        "opportunities/<int:tender_id>/lots/<int:lot_id>/bid/submit/",
        views.bid_submit,
        name="lot_bid_submit",
    ),
    path(
        "opportunities/<int:tender_id>/lots/<int:lot_id>/bid/withdraw/",
        views.bid_withdraw,
        name="lot_bid_withdraw",
    ),
    path(
        "opportunities/<int:tender_id>/lots/<int:lot_id>/bid/summary/",
        views.bid_summary,
        name="lot_bid_summary",
    ),
    path(
        "opportunities/<int:tender_id>/lots/<int:lot_id>/bid/documents/add/",
        views.bid_document_add,
        name="lot_bid_document_add",
    ),
    path(
        "opportunities/<int:tender_id>/lots/<int:lot_id>/bid/documents/<int:document_id>/",
        views.bid_document,
        name="lot_bid_document",
    ),
    path(
        "opportunities/<int:tender_id>/lots/<int:lot_id>/bid/documents/<int:document_id>/remove/",
        views.bid_document_remove,
        name="lot_bid_document_remove",
    ),
    path("bids/", views.my_bids, name="my_bids"),
]
