"""Exceptions raised by the toolkit.

Every exception the toolkit raises on purpose is a :class:`SocialValueError`, so the CLI and the
web views can catch one type and show its message, which always says what to do next.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # type hints only: importing the engines here would load them for every error
    from collections.abc import Mapping, Sequence

    from socialvalue.frameworks.documents import FileProblem


class SocialValueError(Exception):
    """Base class for errors the user can act on."""


class ConfigurationError(SocialValueError):
    """A setting is missing or has a value the toolkit cannot use."""


class AuditChainError(SocialValueError):
    """The audit event chain is broken: an event was changed, removed or inserted."""


class InvitationError(SocialValueError):
    """An invitation link is unknown, expired, revoked or already used."""


class PermissionDeniedError(SocialValueError):
    """The user's role does not allow the action."""


class EvaluationFileError(SocialValueError):
    """A tender evaluation file (or tender) has problems; ``problems`` lists every one of them.

    Each problem has a ``path`` in the file (``bids[0].scores.quality``) and a ``message``; the
    error's text lists them all, one a line, so the user can fix the file in one go.
    """

    def __init__(self, problems: list[object] | tuple[object, ...], source: str = "") -> None:
        self.problems = list(problems)
        self.source = source
        where = f" in {source}" if source else ""
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        lines = [f"{count} {noun}{where}; fix them and run again:"]
        lines.extend(f"  - {problem}" for problem in self.problems)
        super().__init__("\n".join(lines))


class FrameworkFileError(SocialValueError):
    """A framework, proxy value set or crosswalk file has problems; ``problems`` lists them all.

    Each problem names the file, the line (or spreadsheet row), the field path and what to fix.
    Nothing from the file is used when this is raised.
    """

    def __init__(self, problems: Sequence[FileProblem]) -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        heading = "1 problem" if count == 1 else f"{count} problems"
        details = "\n".join(f"  {problem}" for problem in self.problems)
        super().__init__(f"{heading} found; fix them and try again:\n{details}")


class FrameworkNotFoundError(SocialValueError):
    """No built-in framework, proxy value set or file has the name given."""


class ProxyValueError(SocialValueError):
    """A proxy value cannot be found or uplifted (e.g. the deflator series lacks a year)."""


class ReportFormatError(SocialValueError):
    """A report or template file name does not end in a format the toolkit can write."""


class SupplierMatchingError(SocialValueError):
    """Supplier matching cannot go on: a register, ledger or decisions file cannot be used."""


class RegisterFormatError(SupplierMatchingError):
    """A register file's header is not one the toolkit reads; the message names what was expected
    and what was found."""


class SupplierDecisionError(SupplierMatchingError):
    """A review decision is not valid (unknown action, unknown candidate, unreadable file)."""


# --- spend analysis and geography (issue 5) ---------------------------------------------------


class SpendFileError(SocialValueError):
    """A spend file cannot be read: empty, not CSV/XLSX, or not decodable. The message names it."""


class MissingColumnsError(SpendFileError):
    """A spend file lacks a required column.

    The message lists the columns found and the synonyms tried.
    """

    def __init__(
        self,
        *,
        source: str,
        columns_found: Sequence[str],
        missing: Mapping[str, Sequence[str]],
    ) -> None:
        self.source = source
        self.columns_found = tuple(columns_found)
        self.missing = {name: tuple(tried) for name, tried in missing.items()}
        found = ", ".join(repr(c) for c in self.columns_found) or "no named columns"
        parts = [
            f"{name} (tried: {', '.join(tried)})" for name, tried in self.missing.items()
        ]
        first = next(iter(self.missing), "supplier_name")
        super().__init__(
            f"{source}: no column for {'; '.join(parts)}. Columns found: {found}. "
            f"Name the column with --map \"HEADER={first}\" (saved for this publisher)."
        )


class DuplicateFileError(SpendFileError):
    """A file with the same content is already in the dataset; re-import needs ``replace``."""


class SpendDatasetError(SpendFileError):
    """A spend dataset folder is missing, unreadable or locked by another import."""


class PlaceError(SocialValueError):
    """A place name or code is unknown, or a places file has problems."""


class LM3InputError(SocialValueError):
    """LM3 inputs are impossible: negative amounts, a share outside 0–1, or R2 above R1."""


# --- tenders in the web app (issue 8) ---------------------------------------------------------


class TenderError(SocialValueError):
    """A tender action cannot be done now; ``code`` is stable for programs and tests.

    The message says what to do (e.g. "Criteria cannot change once the tender is published").
    """

    def __init__(self, message: str, code: str = "invalid") -> None:
        self.code = code
        super().__init__(message)


class TenderStateError(TenderError):
    """The tender is not in a status that allows the action (draft, published, closed …)."""


class DeadlinePassedError(TenderError):
    """The submission deadline has passed: bids can no longer be saved, submitted or withdrawn."""


class ConcurrentEditError(TenderError):
    """Someone else saved the same record since it was opened; reload and make the change again."""


# --- supplier matching: optional splink backend (issue 6) -------------------------------------


class LinkageBackendMissingError(SupplierMatchingError):
    """The splink backend was asked for but the optional ``linkage`` extra is not installed."""


# --- contracts (issue 8: the award's commitments carried forward) -----------------------------


class ContractError(SocialValueError):
    """A contract action cannot be done; ``code`` is stable for programs and tests."""

    def __init__(self, message: str, code: str = "invalid") -> None:
        self.code = code
        super().__init__(message)


# --- spend: correcting quarantined rows (issue 5) ----------------------------------------------


class CorrectionError(SpendFileError):
    """A quarantined row's correction was refused; the message names the row and the field."""
