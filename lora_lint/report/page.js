// The filters: a card shows when one of its findings has a checked rule and
// severity (or it has none and "items without findings" is checked). Works
// from the keyboard, as the filters are plain checkboxes; without script,
// everything shows.
(() => {
  const form = document.getElementById("filters");
  const cards = Array.from(document.querySelectorAll(".card"));
  const loose = Array.from(document.querySelectorAll("#dataset-findings .finding, .findings.past .finding"));
  const status = document.getElementById("shown");
  const checked = (name) => new Set(Array.from(form.querySelectorAll(`input[name=${name}]:checked`), (i) => i.value));

  function apply() {
    const rules = checked("rule"), severities = checked("severity");
    const clean = form.elements.clean.checked, reg = !form.elements.reg || form.elements.reg.checked;
    const wanted = (rule, severity) => rules.has(rule) && severities.has(severity);
    let shown = 0, findings = 0;
    for (const card of cards) {
      let any = false;
      const items = card.querySelectorAll(".finding");
      for (const item of items) {
        item.hidden = !wanted(item.dataset.rule, item.dataset.severity);
        if (!item.hidden) { any = true; findings++; }
      }
      for (const mark of card.querySelectorAll("mark")) {
        mark.classList.toggle("off", !mark.dataset.keys.split(" ").some((key) => wanted(...key.split(":"))));
      }
      const allowed = reg || card.dataset.subset === "train";
      card.hidden = !allowed || (items.length ? !any : !clean);
      if (!card.hidden) shown++;
    }
    for (const item of loose) {
      item.hidden = !wanted(item.dataset.rule, item.dataset.severity);
      if (!item.hidden) findings++;
    }
    status.textContent = `${shown} of ${cards.length} items shown, ${findings} findings`;
  }
  form.addEventListener("change", apply);
  form.addEventListener("reset", () => setTimeout(apply));
  apply();
})();
