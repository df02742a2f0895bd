package match

import "homeward/internal/arabicname"

// arabicNameTokens applies the name rules of Arabic script to folded name
// tokens (see internal/arabicname): the article ال and Latin "el" written
// apart are dropped, عبد and the next word joined ("عبد الله" and "Abd
// Allah" are one word), the article stripped from the start of a word, and
// a common name in Arabic script replaced by a Latin spelling that the
// variant table knows, so that "محمد حسين" and "Mohammed Hussein" have the
// same variant keys and agree on the name. Latin and Bangla tokens pass
// through unchanged unless a cross-token rule applies.
func arabicNameTokens(toks []string) []string {
	if len(toks) == 0 {
		return toks
	}
	toks = arabicname.JoinTokens(toks)
	for i, t := range toks {
		if !arabicname.IsArabicScript(t) {
			continue
		}
		t = arabicname.StripArticle(t)
		if l, ok := arabicname.Latin(t); ok {
			t = l
		}
		toks[i] = t
	}
	return toks
}
