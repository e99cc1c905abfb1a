// Keyboard shortcuts for the supplier review queue: a accept, r reject, 1–9 pick a candidate.
// The buttons work without this script; it only presses them for you.
document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  if (target instanceof HTMLElement && target.closest("input, select, textarea, [contenteditable]")) return;
  const button = document.querySelector(`[data-review-form] [data-shortcut="${CSS.escape(event.key)}"]`);
  if (button instanceof HTMLButtonElement && !button.disabled) {
    event.preventDefault();
    button.click();
  }
});
