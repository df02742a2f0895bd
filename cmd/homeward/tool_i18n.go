package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"homeward/internal/country"
	"homeward/internal/form"
	"homeward/internal/i18n"
	"homeward/internal/indicator"
	"homeward/internal/rpl"
)

func init() {
	commands["i18n"] = command{"i18n status|export|import: translations per language, as PO files for translators", cmdI18n}
}

const i18nUsage = `Usage: homeward i18n status [--lang L] [--list]
       homeward i18n export --lang L [--out FILE.po]
       homeward i18n import --lang L [--dir CHECKOUT] FILE.po`

func cmdI18n(ctx context.Context, p *program, args []string) error {
	sub, rest := subcommand(args)
	switch sub {
	case "export":
		return cmdI18nExport(p, rest)
	case "import":
		return cmdI18nImport(p, rest)
	case "status":
	default:
		fmt.Fprintln(p.stderr, i18nUsage)
		return helpOrUsage(sub, "i18n needs a subcommand: status, export or import")
	}
	var lang string
	var list bool
	fs := p.flagSet("i18n status", "i18n status [--lang L] [--list]\n\nFor each language: the messages not translated (English is shown instead), those translated from an\nolder English text (stale), the machine-made ones awaiting a translator's review, and faults — keys\nEnglish lacks, placeholders that differ from English, plural forms that are not the language's CLDR\ncategories — each with its file and key. Translations live in internal/i18n/locales/<lang>/*.json,\ntheir review status in internal/i18n/status/<lang>.json. Under each language, the texts that are data\n(built-in forms, standard indicators, skill standards, country packs' texts and area names) with how\nmany are translated and whether they await review. Exits 1 when there is a fault.")
	fs.StringVar(&lang, "lang", "", "only this language (en, bn, ar, ckb, ur)")
	fs.BoolVar(&list, "list", false, "list every key, not only the counts and faults")
	if err := p.parse(fs, rest); err != nil {
		return err
	}
	if lang != "" && !i18n.Supported(lang) {
		return usageError{fmt.Sprintf("--lang %q: not a supported language", lang)}
	}
	problems, err := i18n.Check()
	if err != nil {
		return err
	}
	total := len(i18n.Keys(i18n.Default))
	faults := 0
	for _, l := range i18n.Locales() {
		if l.Tag == i18n.Default || lang != "" && l.Tag != lang {
			continue
		}
		count := map[string]int{}
		for _, pr := range problems {
			if pr.Lang != l.Tag {
				continue
			}
			count[pr.Kind]++
			fault := slices.Contains(i18n.Faults, pr.Kind)
			if fault {
				faults++
			}
			if fault || list {
				fmt.Fprintln(p.stdout, "  "+pr.String())
			}
		}
		fmt.Fprintf(p.stdout, "%s (%s): %d of %d messages translated; %d missing, %d stale, %d machine-made awaiting review, %d faults\n",
			l.Tag, l.Name, total-count["missing"], total, count["missing"], count["stale"], count["machine"], count["extra"]+count["placeholder"]+count["plural"])
		if err := printDataTexts(p.stdout, l.Tag); err != nil {
			return err
		}
	}
	if faults > 0 {
		return fmt.Errorf("%d faults in the translations", faults)
	}
	return nil
}

// printDataTexts writes, under a language's catalog line, the texts that
// are data rather than messages and are translated in their own files: the
// built-in forms, the standard indicators, the starter skill standards,
// and each country pack's own texts and area names.
func printDataTexts(w io.Writer, lang string) error {
	trs, err := form.BuiltinTranslations()
	if err != nil {
		return err
	}
	texts := form.BuiltinTexts()
	for _, tr := range trs {
		if tr.Language != lang {
			continue
		}
		state := "reviewed"
		if tr.Status == form.TranslationMachine {
			state = "machine-made, awaiting review"
		}
		n := 0
		for _, en := range texts {
			if tr.Text(en) != "" {
				n++
			}
		}
		fmt.Fprintf(w, "  built-in forms (%s): %d of %d texts translated; %s\n", tr.File(), n, len(texts), state)
	}
	named, machine := 0, false
	defs := indicator.Standard()
	for _, d := range defs {
		if d.Name[lang] != "" {
			named++
		}
		machine = machine || slices.Contains(d.MachineMade, lang)
	}
	fmt.Fprintf(w, "  standard indicators (internal/indicator/standard.json): %d of %d named%s\n", named, len(defs), awaiting(machine))
	cat := rpl.Starter()
	named = 0
	for _, s := range cat.Standards {
		if s.Name[lang] != "" {
			named++
		}
	}
	fmt.Fprintf(w, "  skill standards (internal/rpl/standards.json): %d of %d named%s\n", named, len(cat.Standards), awaiting(slices.Contains(cat.MachineMade, lang)))
	for _, pk := range country.All() {
		if slices.Contains(pk.Unreviewed, lang) {
			fmt.Fprintf(w, "  %s pack texts (internal/country/packs/%s/pack.json): some Homeward's own, awaiting review (its SOURCES.md says which)\n",
				pk.Code, strings.ToLower(pk.Code))
		}
		if c, ok := pk.AreaNames()[lang]; ok {
			fmt.Fprintf(w, "  %s area names (internal/country/packs/%s/%s): %d of %d named; %d Homeward's own awaiting review\n",
				pk.Code, strings.ToLower(pk.Code), pk.Areas.File, c.Named, c.Total, c.Unreviewed)
		}
	}
	return nil
}

// awaiting says that a file's texts in a language are machine-made.
func awaiting(machine bool) string {
	if machine {
		return "; machine-made, awaiting review"
	}
	return ""
}

// cmdI18nExport writes one language's catalog as a gettext PO file.
func cmdI18nExport(p *program, args []string) error {
	var lang, out string
	fs := p.flagSet("i18n export", "i18n export --lang L [--out FILE.po]\n\nWrites every message of the catalog as a gettext PO file for translators (Poedit, Weblate,\nLokalize): the key as msgctxt, the English text as msgid, the translation as msgstr (empty where\nthere is none), plural messages with a msgstr per plural form of the language. Machine-made\ntranslations and those made from an older English text are flagged fuzzy (\"needs review\").")
	fs.StringVar(&lang, "lang", "", "the language (bn, ar, ckb, ur; en gives the English texts)")
	fs.StringVar(&out, "out", "", "the file to write (default: standard output)")
	if err := p.parse(fs, args); err != nil {
		return err
	}
	if !i18n.Supported(lang) {
		return usageError{fmt.Sprintf("--lang %q: not a supported language (en, bn, ar, ckb, ur)", lang)}
	}
	if out == "" {
		return i18n.ExportPO(lang, p.stdout)
	}
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	if err := i18n.ExportPO(lang, f); err != nil {
		f.Close()
		os.Remove(out)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(out)
		return err
	}
	fmt.Fprintf(p.stderr, "wrote %s\n", out)
	return nil
}

// cmdI18nImport reads a translator's PO file into the catalogs of a checkout.
func cmdI18nImport(p *program, args []string) error {
	var lang, dir string
	fs := p.flagSet("i18n import", "i18n import --lang L [--dir CHECKOUT] FILE.po\n\nReads a translator's PO file into the catalogs of a Homeward checkout (internal/i18n/locales/L and\ninternal/i18n/status/L.json; rebuild to ship them). An entry without the fuzzy flag is recorded as\nreviewed, one with it as machine-made; an empty translation leaves the message as it is. Every\nentry is checked first — known key, current English text, the same {placeholders}, one text per\nplural form — and with any fault nothing is written and each fault is listed with its line.")
	fs.StringVar(&lang, "lang", "", "the language of the file (bn, ar, ckb, ur)")
	fs.StringVar(&dir, "dir", ".", "the checkout holding internal/i18n")
	if err := p.parse(fs, args); err != nil {
		return err
	}
	if len(p.args) != 1 {
		return usageError{"i18n import needs one PO file"}
	}
	name := p.args[0]
	var r io.Reader
	if name == "-" {
		r = p.stdin
	} else {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	sum, err := i18n.ImportPO(dir, lang, r)
	var faults i18n.POErrors
	if errors.As(err, &faults) {
		for _, f := range faults {
			fmt.Fprintf(p.stderr, "%s:%d: %s\n", name, f.Line, f.Msg)
		}
		return fmt.Errorf("%s: %d faults; nothing was written", name, len(faults))
	}
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	fmt.Fprintf(p.stdout, "%s: %d messages changed; %d recorded as reviewed, %d as machine-made\n", name, sum.Translated, sum.Reviewed, sum.Machine)
	for _, f := range sum.Files {
		fmt.Fprintf(p.stdout, "  wrote %s\n", f)
	}
	return nil
}
