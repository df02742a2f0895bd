package e2e

import (
	"context"
	"html"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"homeward/internal/form"
	"homeward/internal/i18n"
	"homeward/internal/indicator"
)

var (
	scriptRe = regexp.MustCompile(`(?s)<(script|style)[^>]*>.*?</(script|style)>`)
	tagRe    = regexp.MustCompile(`(?s)<[^>]*>`)
	spaceRe  = regexp.MustCompile(`\s+`)
)

// textNodes returns the pieces of text a reader sees on page, each between
// two tags: no scripts or attribute values, entities decoded, spaces
// folded. A catalog message is a whole piece; people's own notes, which may
// well be in English, are longer pieces that only contain such words.
func textNodes(page string) map[string]bool {
	out := map[string]bool{}
	for _, t := range tagRe.Split(scriptRe.ReplaceAllString(page, " "), -1) {
		if t = strings.TrimSpace(spaceRe.ReplaceAllString(html.UnescapeString(t), " ")); t != "" {
			out[strings.TrimRight(t, ".:")] = true
		}
	}
	return out
}

// englishPhrases are the English catalog messages of three words or more
// that have a translation of their own in lang, and the built-in forms'
// questions and the standard indicators' names that do: if one shows on a
// page in lang, that text bypassed the catalog or was never translated.
func englishPhrases(lang string) []string {
	var out []string
	for _, k := range i18n.Keys("en") {
		en := i18n.T("en", k, nil)
		if strings.Contains(en, "{") || len(strings.Fields(en)) < 3 || i18n.T(lang, k, nil) == en {
			continue
		}
		out = append(out, en)
	}
	// Texts that are data, not messages: the built-in forms' questions,
	// hints and choices, and the standard indicators' names, where lang
	// has them.
	long := func(en, tr string) bool {
		return tr != "" && tr != en && len(strings.Fields(en)) >= 3 && !strings.ContainsAny(en, "{$")
	}
	for _, f := range form.Builtins() {
		for _, q := range f.Questions {
			for _, txt := range []form.Text{q.Label, q.Hint} {
				if long(txt["en"], txt[lang]) {
					out = append(out, txt["en"])
				}
			}
		}
	}
	for _, d := range indicator.Standard() {
		if long(d.Name["en"], d.Name[lang]) {
			out = append(out, d.Name["en"])
		}
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// TestBanglaPagesHaveNoEnglish signs in to the demo in Bangla as a case
// worker, a supervisor, provider staff and an administrator, crawls two
// levels from the home page, and fails on any English catalog message seen
// on a page: a visible string without its translation.
func TestBanglaPagesHaveNoEnglish(t *testing.T) {
	db, _ := seedDemo(t)
	base := serveDB(t, db)
	phrases := englishPhrases("bn")
	found := map[string][]string{}
	for _, email := range []string{"caseworker2@shapla.demo", "supervisor@shapla.demo", "staff@ttc-dhaka.demo", "admin@shapla.demo"} {
		get, home := signInHTTP(t, base, email, "bn")
		seen := map[string]int{}
		var queue []string
		add := func(page string, depth int) {
			for _, m := range crawlLinkRe.FindAllStringSubmatch(page, -1) {
				link := strings.ReplaceAll(m[1], "&amp;", "&")
				if strings.HasPrefix(link, "/static/") || strings.HasPrefix(link, "/lang") || strings.HasSuffix(link, ".csv") ||
					strings.Contains(link, "/export") || strings.Contains(link, "format=") {
					continue
				}
				if _, ok := seen[link]; ok || len(queue) >= 120 {
					continue
				}
				seen[link] = depth
				queue = append(queue, link)
			}
		}
		add(home, 1)
		for i := 0; i < len(queue); i++ {
			status, body := get(queue[i])
			if status != 200 {
				continue
			}
			text := textNodes(body)
			for _, p := range phrases {
				if text[strings.TrimRight(p, ".:")] && len(found[p]) < 3 {
					found[p] = append(found[p], queue[i])
				}
			}
			if seen[queue[i]] < 2 {
				add(body, seen[queue[i]]+1)
			}
		}
	}
	for p, where := range found {
		t.Errorf("English on a Bangla page: %q (at %s)", p, strings.Join(where, ", "))
	}
}

// catalogKeyRe matches a piece of text that looks like a catalog key
// ("referral.state.sent"): what T shows for a key no catalog has.
var catalogKeyRe = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$`)

// untranslatedOnPage fails on English catalog text, or a bare catalog
// key, shown on the browser's page in lang.
func untranslatedOnPage(t *testing.T, ctx context.Context, where, lang string) {
	t.Helper()
	page, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("html")))
	if err != nil {
		t.Fatalf("%s: %v", where, err)
	}
	text := textNodes(page)
	phrases := englishPhrases(lang)
	if len(phrases) < 100 {
		t.Fatalf("%s: only %d English phrases to look for in %s: the check would miss untranslated text", where, len(phrases), lang)
	}
	for _, p := range phrases {
		if text[strings.TrimRight(p, ".:")] {
			t.Errorf("%s: English on a page in %s: %q", where, lang, p)
		}
	}
	for s := range text {
		if catalogKeyRe.MatchString(s) {
			t.Errorf("%s: an untranslated key shows: %q", where, s)
		}
	}
}
