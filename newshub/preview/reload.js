// newshub preview: when this page changes, the server sends it as it is now (a Server-Sent Event)
// and it is swapped in, keeping the scroll position; a full reload when that is not possible.
(() => {
  let build = document.currentScript.dataset.build;
  // The warnings panel: dismissed, it stays away in this tab until the warnings change.
  const KEY = "newshub-dismissed-warnings";
  const dismissed = () => {
    const panel = document.getElementById("newshub-warnings");
    if (panel && sessionStorage.getItem(KEY) === panel.dataset.digest) panel.remove();
  };
  document.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest("#newshub-warnings .newshub-dismiss");
    if (!button) return;
    const panel = button.closest("#newshub-warnings");
    sessionStorage.setItem(KEY, panel.dataset.digest);
    panel.remove();
  });
  dismissed();
  const sheets = (head) => [...head.querySelectorAll('link[rel="stylesheet"]')].map((link) => link.getAttribute("href")).join(" ");
  const swap = (page) => {
    if (!page) return false;
    // As fetch's text() would: a byte order mark before <!DOCTYPE> would put the head in the body.
    const next = new DOMParser().parseFromString(page.replace(/^\uFEFF/, ""), "text/html");
    const script = next.querySelector('script[src="/__newshub__/reload.js"]');
    if (!script || sheets(next.head) !== sheets(document.head)) return false;
    for (const node of [...document.head.childNodes]) if (!(node.matches && node.matches('link[rel="stylesheet"]'))) node.remove();
    for (const node of [...next.head.childNodes]) if (!(node.matches && node.matches('link[rel="stylesheet"]'))) document.head.append(node);
    document.documentElement.lang = next.documentElement.lang;
    document.body.replaceWith(next.body);
    build = script.dataset.build;
    dismissed();
    return true;
  };
  const listen = () => {
    const query = "?since=" + encodeURIComponent(build) + "&page=" + encodeURIComponent(location.pathname);
    const events = new EventSource("/__newshub__/events" + query);
    events.addEventListener("reload", (event) => {
      events.close();
      let swapped = false;
      try { swapped = swap(event.data); } catch { swapped = false; }
      if (swapped) listen(); else location.reload();
    });
  };
  listen();
})();
