// The certificate page's print button (no inline handlers: the
// Content-Security-Policy allows scripts from this site's files only).
document.addEventListener("DOMContentLoaded", () => {
  const b = document.getElementById("cert-print");
  if (b) b.addEventListener("click", () => window.print());
});
