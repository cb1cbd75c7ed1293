// The search page (templates/search.html): Pagefind's index, asked through its JS API (pagefind.js,
// loaded from the same site), and the results drawn here as plain elements: no inline script or
// style, no HTML from the index but <mark>, so the site's Content-Security-Policy holds.
const PAGE = 10; // results drawn at a time; "More results" draws the next ones

const form = document.getElementById("search--form");
const input = document.getElementById("search--q");
const status = document.getElementById("search--status");
const list = document.getElementById("search--results");
const more = document.getElementById("search--more");
const fallback = document.getElementById("search--fallback");
const words = status.dataset; // the interface text, in the page's language (the theme's catalog)
// "3 results": the catalog's plural form for the count (data-found-one, data-found-other...), chosen by
// the browser's CLDR plural rules for the page's language, as newshub chooses them with Babel.
const plurals = new Intl.PluralRules(document.documentElement.lang || "en");

let pagefind = null; // the promise of the loaded pagefind.js
let found = []; // the current query's results, not yet drawn
let current = 0; // the query being answered: an older answer is dropped
let typing = 0;

function load() {
  pagefind ??= import(`${form.dataset.bundle}pagefind.js`).then(async (module) => {
    await module.options({ excerptLength: 24 });
    return module;
  });
  return pagefind;
}

function say(text, query, count) {
  const number = count.toLocaleString(document.documentElement.lang || undefined);
  // One pass, with a function: a query holding "{n}" or "$&" is shown as typed.
  status.textContent = text.replace(/\{(q|n)\}/g, (_, name) => (name === "q" ? query : number));
}

function counted(count) {
  const category = plurals.select(count); // "one", "other"...: data-found-one is dataset.foundOne
  return words[`found${category[0].toUpperCase()}${category.slice(1)}`] ?? words.foundOther;
}

// Pagefind's excerpt is the page's text with <mark> around the words found: everything else in it
// is text (a page may show "<script>" as text), so it is never parsed as HTML. Marks that touch
// are one: Chinese is marked word by word ("<mark>机器</mark><mark>人</mark>" shows as 机器人).
function excerpt(marked) {
  const paragraph = document.createElement("p");
  let inside = false;
  let mark = null; // the last mark, while nothing follows it
  for (const part of marked.split(/(<\/?mark>)/)) {
    if (part === "<mark>" || part === "</mark>") {
      inside = part === "<mark>";
    } else if (part && inside) {
      if (!mark) {
        mark = document.createElement("mark");
        paragraph.append(mark);
      }
      mark.append(part);
    } else if (part) {
      paragraph.append(part);
      mark = null;
    }
  }
  return paragraph;
}

function item(data) {
  const entry = document.createElement("li");
  const heading = document.createElement("h2");
  const link = document.createElement("a");
  link.href = data.url;
  link.textContent = data.meta.title || data.url;
  heading.append(link);
  const meta = document.createElement("p");
  meta.className = "meta";
  meta.textContent = [data.meta.type, data.meta.date].filter(Boolean).join(" · ");
  entry.append(heading, meta, excerpt(data.excerpt || ""));
  return entry;
}

async function draw(ticket) {
  const next = await Promise.all(found.splice(0, PAGE).map((result) => result.data()));
  if (ticket !== current) return null;
  const items = next.map(item);
  list.append(...items);
  more.hidden = found.length === 0;
  return items[0] || null;
}

async function search(query) {
  const ticket = ++current;
  query = query.trim();
  found = [];
  list.replaceChildren();
  more.hidden = true;
  fallback.hidden = true;
  if (!query) {
    say(words.hint, query, 0);
    return;
  }
  say(words.busy, query, 0);
  try {
    const answer = await (await load()).search(query);
    if (ticket !== current) return;
    found = answer.results.slice();
    const count = found.length;
    await draw(ticket);
    if (ticket !== current) return;
    say(count === 0 ? words.none : counted(count), query, count);
  } catch {
    if (ticket !== current) return;
    say(words.failed, query, 0);
    fallback.hidden = false; // the news list, as without JavaScript
  }
}

function remember(query) {
  const url = new URL(location.href);
  if (query.trim()) {
    url.searchParams.set("q", query.trim());
  } else {
    url.searchParams.delete("q");
  }
  history.replaceState(null, "", url);
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  clearTimeout(typing);
  remember(input.value);
  search(input.value);
});

input.addEventListener("input", () => {
  clearTimeout(typing);
  typing = setTimeout(() => {
    remember(input.value);
    search(input.value);
  }, 250);
});

more.addEventListener("click", async () => {
  const first = await draw(current);
  first?.querySelector("a")?.focus(); // the keyboard goes on from the first new result
});

input.value = new URLSearchParams(location.search).get("q") || "";
search(input.value);
