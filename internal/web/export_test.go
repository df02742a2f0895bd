package web

import "time"

// SetImportWait changes how long an upload waits for its import (tests);
// it returns a function that restores the old value.
func SetImportWait(d time.Duration) (restore func()) {
	old := importWait
	importWait = d
	return func() { importWait = old }
}
