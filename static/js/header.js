// On a phone the workspace navigation scrolls sideways inside its own row: the current page's item is brought
// into view, so "Data export" is not hidden behind the edge on the page it names.
for (const list of document.querySelectorAll(".workspace-bar .nav, .workspaces ul")) {
  const current = list.querySelector("[aria-current]");
  if (current && list.scrollWidth > list.clientWidth) {
    list.scrollLeft += current.getBoundingClientRect().left - list.getBoundingClientRect().left - 16;
  }
}
