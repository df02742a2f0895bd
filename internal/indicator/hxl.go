package indicator

import (
	"encoding/csv"
	"io"
	"math"
	"slices"
	"strconv"
	"time"
)

// HXL hashtags (Humanitarian Exchange Language 1.1) of the columns of an
// indicator export, so that HDX, a national statistics office or a
// partner's spreadsheet can read the figures without a data dictionary.
// Disaggregations without a core hashtag are #meta with the field's name.
var hxlTags = map[string]string{
	"code":         "#indicator+code",
	"name":         "#indicator+name",
	"unit":         "#meta+unit",
	"period":       "#date+period",
	"sex":          "#meta+sex",
	"age_group":    "#meta+age_group",
	"district":     "#adm2+code",
	"upazila":      "#adm3+code",
	"programme":    "#activity+code",
	"destination":  "#country+code+destination",
	"return_type":  "#meta+return_type",
	"service_type": "#service+code",
	"channel":      "#modality+code",
	"state":        "#status+code",
	"numerator":    "#indicator+num+numerator",
	"denominator":  "#indicator+num+denominator",
	"value":        "#indicator+num+value",
	"suppressed":   "#meta+suppressed",
	"computed_at":  "#date+reported",
}

// HXLTag returns the hashtag of an export column.
func HXLTag(column string) string {
	if t, ok := hxlTags[column]; ok {
		return t
	}
	return "#meta+" + column
}

// HXLColumns are an export's columns for series broken down by the fields
// they name: the indicator, its period, each disaggregation once (in the
// order of the first series that has it), then the figures.
func HXLColumns(series []*Series) []string {
	cols := []string{"code", "name", "unit", "period"}
	for _, s := range series {
		for _, b := range s.By {
			if !slices.Contains(cols, b) {
				cols = append(cols, b)
			}
		}
	}
	return append(cols, "numerator", "denominator", "value", "suppressed", "computed_at")
}

// WriteHXL writes series as one CSV table in long form: a row of column
// names (head gives each in the reader's language), a row of HXL hashtags,
// then one row per indicator, month and disaggregation. Codes stay codes
// (district p-codes, ISO country codes, sex m/f) and numbers use Latin
// digits and a point, so that the file is read the same everywhere; a
// suppressed row keeps its place with its figures left out. defs[i] is the
// definition of series[i]; name gives an indicator's name.
func WriteHXL(w io.Writer, defs []*Definition, series []*Series, head func(column string) string, name func(*Definition) string) error {
	cols := HXLColumns(series)
	cw := csv.NewWriter(w)
	labels, tags := make([]string, len(cols)), make([]string, len(cols))
	for i, c := range cols {
		labels[i], tags[i] = safeCell(head(c)), HXLTag(c)
	}
	if err := cw.Write(labels); err != nil {
		return err
	}
	if err := cw.Write(tags); err != nil {
		return err
	}
	rec := make([]string, len(cols))
	for i, s := range series {
		d := defs[i]
		computed := ""
		if s.ComputedAt != nil {
			computed = s.ComputedAt.UTC().Format(time.RFC3339)
		}
		for _, r := range s.Rows {
			for j, c := range cols {
				switch c {
				case "code":
					rec[j] = d.Code
				case "name":
					rec[j] = safeCell(name(d))
				case "unit":
					rec[j] = string(d.Unit)
				case "period":
					rec[j] = r.Period
				case "numerator":
					rec[j] = number(r.Numerator)
				case "denominator":
					rec[j] = ""
					if d.Denominator != nil {
						rec[j] = number(r.Denominator)
					}
				case "value":
					rec[j] = number(r.Value)
				case "suppressed":
					rec[j] = strconv.FormatBool(r.Suppressed)
				case "computed_at":
					rec[j] = computed
				default:
					rec[j] = safeCell(r.By[c])
				}
			}
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// number writes a figure with at most four decimals; nil is empty.
func number(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(math.Round(*v*1e4)/1e4, 'f', -1, 64)
}
