// Command sidebyside times commands interleaved (A B C A B C ...) so that load on a
// shared machine falls on all of them alike, which hyperfine's one-command-at-a-time
// blocks do not guarantee. For each command it prints the median wall time and the
// median CPU time (user+system of the process and the children it waited for, as
// wait4 reports them), in milliseconds:
//
//	NAME WALL_MS CPU_MS
//
// Usage: sidebyside [-runs N] [-warmup N] 'NAME|PREPARE|COMMAND ARGS' ...
// PREPARE (may be empty) runs with sh -c before every run of the command and is not
// timed; COMMAND is split on spaces and run without a shell.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"time"
)

type spec struct {
	name, prep string
	argv       []string
	wall, cpu  []float64
}

func main() {
	runs := flag.Int("runs", 30, "timed runs per command")
	warmup := flag.Int("warmup", 3, "untimed runs per command first")
	flag.Parse()
	var specs []*spec
	for _, a := range flag.Args() {
		f := strings.SplitN(a, "|", 3)
		if len(f) != 3 {
			fail(fmt.Errorf("bad spec %q: want NAME|PREPARE|COMMAND", a))
		}
		specs = append(specs, &spec{name: f[0], prep: f[1], argv: strings.Fields(f[2])})
	}
	for i := 0; i < *warmup+*runs; i++ {
		for _, s := range specs {
			wall, cpu := s.run()
			if i >= *warmup {
				s.wall, s.cpu = append(s.wall, wall), append(s.cpu, cpu)
			}
		}
	}
	for _, s := range specs {
		fmt.Printf("%s %.2f %.2f\n", s.name, median(s.wall), median(s.cpu))
	}
}

func (s *spec) run() (wallMS, cpuMS float64) {
	if s.prep != "" {
		if out, err := exec.Command("sh", "-c", s.prep).CombinedOutput(); err != nil {
			fail(fmt.Errorf("%s: prepare: %v: %s", s.name, err, out))
		}
	}
	cmd := exec.Command(s.argv[0], s.argv[1:]...)
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		fail(fmt.Errorf("%s: %v", s.name, err))
	}
	wall := time.Since(start)
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	return float64(wall.Microseconds()) / 1000, float64(cpu.Microseconds()) / 1000
}

func median(v []float64) float64 {
	v = slices.Clone(v)
	slices.Sort(v)
	if n := len(v); n%2 == 1 {
		return v[n/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "sidebyside:", err)
	os.Exit(1)
}
