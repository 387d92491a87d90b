// Resident memory per parked goroutine, Go's side (bench/goro_parked.cpp is
// goro's): start COUNT goroutines (default 1,000,000) that each block
// receiving from one shared channel, report (VmRSS after - VmRSS before) /
// COUNT from /proc/self/status, close the channel, wait for all to exit.
//
//	GOMAXPROCS=2 parked [COUNT]
package main

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

func rssKiB() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return -1
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		line := s.Text()
		if strings.HasPrefix(line, "VmRSS:") {
			fields := strings.Fields(line[len("VmRSS:"):])
			if len(fields) > 0 {
				v, err := strconv.ParseInt(fields[0], 10, 64)
				if err == nil {
					return v
				}
			}
		}
	}
	return -1
}

func main() {
	count := 1000000
	if len(os.Args) > 1 {
		v, err := strconv.Atoi(os.Args[1])
		if err != nil || v < 1 || v > 100000000 {
			fmt.Fprintf(os.Stderr, "usage: %s [COUNT]  (1 to 100000000 goroutines)\n", os.Args[0])
			os.Exit(2)
		}
		count = v
	}
	// Start the runtime's own goroutines and threads before the baseline.
	warm := make(chan int)
	go func() { warm <- 1 }()
	<-warm
	runtime.GC()
	before := rssKiB()

	release := make(chan struct{})
	var started, exited sync.WaitGroup
	started.Add(count)
	exited.Add(count)
	t0 := time.Now()
	for i := 0; i < count; i++ {
		go func() {
			started.Done()
			<-release // parks here until close
			exited.Done()
		}()
	}
	started.Wait()
	parkSeconds := time.Since(t0).Seconds()
	time.Sleep(200 * time.Millisecond)
	runtime.GC() // do not count garbage: only what the parked goroutines hold
	after := rssKiB()

	close(release)
	exited.Wait()
	fmt.Printf("parked system=go count=%d rss_before_kib=%d rss_after_kib=%d "+
		"bytes_per_goroutine=%.0f park_seconds=%.3f\n",
		count, before, after, float64(after-before)*1024/float64(count), parkSeconds)
}
