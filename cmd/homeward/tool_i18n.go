package main

import (
	"context"
	"fmt"
	"slices"

	"homeward/internal/i18n"
)

func init() {
	commands["i18n"] = command{"i18n status: untranslated, stale and unreviewed messages per language", cmdI18n}
}

func cmdI18n(ctx context.Context, p *program, args []string) error {
	sub, rest := subcommand(args)
	if sub != "status" {
		fmt.Fprintln(p.stderr, "Usage: homeward i18n status [--lang L] [--list]")
		return helpOrUsage(sub, "i18n needs a subcommand: status")
	}
	var lang string
	var list bool
	fs := p.flagSet("i18n status", "i18n status [--lang L] [--list]\n\nFor each language: the messages not translated (English is shown instead), those translated from an\nolder English text (stale), the machine-made ones awaiting a translator's review, and faults — keys\nEnglish lacks, placeholders that differ from English, plural forms that are not the language's CLDR\ncategories — each with its file and key. Translations live in internal/i18n/locales/<lang>/*.json,\ntheir review status in internal/i18n/status/<lang>.json. Exits 1 when there is a fault.")
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
	}
	if faults > 0 {
		return fmt.Errorf("%d faults in the translations", faults)
	}
	return nil
}
