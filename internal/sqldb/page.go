package sqldb

import (
	"strconv"

	"homeward"
)

// Page sizes: callers ask for Limit; zero means the default.
const (
	DefaultPageSize = 50
	MaxPageSize     = 500
)

func pageLimit(n int) int {
	switch {
	case n <= 0:
		return DefaultPageSize
	case n > MaxPageSize:
		return MaxPageSize
	}
	return n
}

func parseIntCursor(s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, homeward.FieldErrorf("cursor", "error.cursor", "The page cursor is not valid.")
	}
	return n, nil
}

func checkIDCursor(s string) error {
	if s != "" && !homeward.ValidID(s) {
		return homeward.FieldErrorf("cursor", "error.cursor", "The page cursor is not valid.")
	}
	return nil
}

func itoa(i int) string { return strconv.Itoa(i) }
