// "Copy" next to a read-only address (the Calendars page's feed): copies it to the clipboard.
// Without JavaScript the button stays hidden and the address can be selected and copied.
document.addEventListener("DOMContentLoaded", enableCopyButtons);
document.addEventListener("htmx:afterSettle", enableCopyButtons);

function enableCopyButtons() {
  for (const button of document.querySelectorAll("button[data-copy]")) {
    if (button.dataset.copyReady) continue;
    button.dataset.copyReady = "1";
    button.hidden = false;
    button.addEventListener("click", async () => {
      const field = document.querySelector(button.dataset.copy);
      if (!field) return;
      field.select();
      try {
        await navigator.clipboard.writeText(field.value);
        button.textContent = "Copied";
      } catch {
        button.textContent = "Press Ctrl+C";
      }
    });
  }
}
