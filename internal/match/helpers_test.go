package match_test

import "strconv"

func strconvFormat(x float64) string { return strconv.FormatFloat(x, 'g', 3, 64) }
