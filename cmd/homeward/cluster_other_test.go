//go:build !linux

package main

import "os/exec"

// dieWithTest does nothing where the kernel cannot tie a child's life to
// its parent's; t.Cleanup still kills the servers on every ordinary path.
func dieWithTest(*exec.Cmd) {}
