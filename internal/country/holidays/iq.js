// Computes the Iraqi pack's holidays for 2026 and 2027 (internal/country/packs/iq,
// see its SOURCES.md). Run in an empty folder: npm install date-holidays@3.37.0,
// then node iq.js > iq.json; the JSON is the pack's "holidays" list.
const Holidays = require('date-holidays');
// Iraq's Official Holidays Law No. 12 of 2024, article 1 (first): the
// general holidays. The Islamic ones are computed from the Hijri calendar
// by date-holidays' parser, and depend on the moon sighting.
const rules = [
  ['01-01', {en: "New Year's Day", ar: 'رأس السنة الميلادية', ckb: 'سەری ساڵی زایینی'}, false],
  ['01-06', {en: 'Army Day', ar: 'عيد الجيش', ckb: 'ڕۆژی سوپا'}, false],
  ['03-16', {en: "Remembrance of the Ba'ath regime's crimes (Halabja, Anfal)", ar: 'ذكرى جرائم البعث في الأنفال وحلبجة', ckb: 'یادی تاوانەکانی بەعس لە ئەنفال و هەڵەبجە'}, false],
  ['03-21', {en: 'Nowruz', ar: 'عيد نوروز', ckb: 'نەورۆز'}, false],
  ['05-01', {en: 'Labour Day', ar: 'عيد العمال العالمي', ckb: 'ڕۆژی جیهانیی کرێکاران'}, false],
  ['1 Muharram', {en: 'Islamic New Year', ar: 'رأس السنة الهجرية', ckb: 'سەری ساڵی کۆچی'}, true],
  ['10 Muharram', {en: 'Ashura', ar: 'عاشوراء', ckb: 'عاشوورا'}, true],
  ['12 Rabi al-awwal', {en: "Prophet's Birthday (Mawlid)", ar: 'المولد النبوي الشريف', ckb: 'لەدایکبوونی پێغەمبەر'}, true],
  ['1 Shawwal P3D', {en: 'Eid al-Fitr', ar: 'عيد الفطر', ckb: 'جەژنی ڕەمەزان'}, true],
  ['10 Dhu al-Hijjah P4D', {en: 'Eid al-Adha', ar: 'عيد الأضحى', ckb: 'جەژنی قوربان'}, true],
  ['18 Dhu al-Hijjah', {en: 'Eid al-Ghadir', ar: 'عيد الغدير', ckb: 'جەژنی غەدیر'}, true],
];
const hd = new Holidays();
console.error('date-holidays', require('date-holidays/package.json').version, 'IQ known:', 'IQ' in new Holidays().getCountries());
const out = [];
for (const [rule, names, expected] of rules) {
  const h = new Holidays();
  h.setTimezone('Asia/Baghdad');
  if (!h.setHoliday(rule, {name: names.en, type: 'public'})) throw new Error('rule ' + rule);
  for (const year of [2026, 2027]) {
    for (const x of h.getHolidays(year)) {
      // one entry a day of a multi-day holiday; an Islamic day begins at
      // the sunset before, so the day is x.date's, not x.start's
      const days = Math.round((x.end - x.start) / 86400000);
      for (let i = 0; i < days; i++) {
        const d = new Date(x.date.slice(0, 10) + 'T00:00:00Z');
        const iso = new Date(d.getTime() + i * 86400000).toISOString().slice(0, 10);
        const e = {date: iso, names};
        if (expected) e.expected = true;
        out.push([rule, x.date, e]);
      }
    }
  }
}
out.sort((a, b) => a[2].date.localeCompare(b[2].date));
for (const [r, d, e] of out) console.error(r.padEnd(22), d, '→', e.date);
console.log(JSON.stringify(out.map(x => x[2])));
