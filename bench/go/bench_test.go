// Go's side of the benchmark comparison with goro (bench/goro_bench.cpp) and
// Boost.Fiber (bench/boost_fiber_bench.cpp). One iteration is the same unit
// of work in all three: one spawn+join, one ping-pong round trip, one value
// through a buffered channel, one select with exactly one ready case, one
// lock/increment/unlock. Parallelism comes from -test.cpu (GOMAXPROCS), set by
// bench/run.sh to the GORO_MAXPROCS goro gets. Standard library only; Go 1.19.
//
// Besides ns/op (wall clock) each benchmark reports cpu-ns/op: the process's
// CPU time per iteration (CLOCK_PROCESS_CPUTIME_ID, all threads), the same
// clock Google Benchmark's MeasureProcessCPUTime reads for goro and
// Boost.Fiber. On a loaded machine it is the steadier of the two.
package bench

import (
	"sync"
	"syscall"
	"testing"
	"unsafe"
)

const clockProcessCPUTimeID = 2 // CLOCK_PROCESS_CPUTIME_ID (Linux)

func processCPU() int64 {
	var ts syscall.Timespec
	syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockProcessCPUTimeID, uintptr(unsafe.Pointer(&ts)), 0)
	return ts.Nano()
}

// reportCPU records the CPU time since start per iteration.
func reportCPU(b *testing.B, start int64) {
	b.ReportMetric(float64(processCPU()-start)/float64(b.N), "cpu-ns/op")
}

// wg.Add(1); go func() { wg.Done() }(); wg.Wait()
func BenchmarkSpawnJoin(b *testing.B) {
	var wg sync.WaitGroup
	cpu := processCPU()
	for i := 0; i < b.N; i++ {
		wg.Add(1)
		go func() { wg.Done() }()
		wg.Wait()
	}
	reportCPU(b, cpu)
}

// One round trip over two unbuffered channels to an echo goroutine.
func BenchmarkPingPong(b *testing.B) {
	ping := make(chan int64)
	pong := make(chan int64)
	go func() {
		for v := range ping {
			pong <- v
		}
		close(pong)
	}()
	ok := true
	b.ResetTimer()
	cpu := processCPU()
	for i := 0; i < b.N; i++ {
		ping <- int64(i)
		if <-pong != int64(i) {
			ok = false
		}
	}
	b.StopTimer()
	reportCPU(b, cpu)
	close(ping)
	if _, more := <-pong; more || !ok {
		b.Fatal("ping-pong: a wrong value came back")
	}
}

// One value per iteration from a sender goroutine to the benchmark goroutine.
func buffered(b *testing.B, capacity int) {
	ch := make(chan int64, capacity)
	n := b.N
	b.ResetTimer()
	cpu := processCPU()
	go func() {
		for i := 0; i < n; i++ {
			ch <- int64(i)
		}
		close(ch)
	}()
	ok := true
	for i := 0; i < n; i++ {
		if <-ch != int64(i) {
			ok = false
		}
	}
	b.StopTimer()
	reportCPU(b, cpu)
	if _, more := <-ch; more || !ok {
		b.Fatal("buffered: values lost, duplicated or reordered")
	}
}

func BenchmarkBuffered1(b *testing.B)   { buffered(b, 1) }
func BenchmarkBuffered100(b *testing.B) { buffered(b, 100) }

// A select over K receive cases of which exactly one is ready: send into one
// channel (capacity 1, never blocks), rotating, then select.
func BenchmarkSelect2(b *testing.B) {
	var c [2]chan int64
	for i := range c {
		c[i] = make(chan int64, 1)
	}
	var sum int64
	b.ResetTimer()
	cpu := processCPU()
	for i := 0; i < b.N; i++ {
		c[i%2] <- 1
		select {
		case v := <-c[0]:
			sum += v
		case v := <-c[1]:
			sum += v
		}
	}
	b.StopTimer()
	reportCPU(b, cpu)
	if sum != int64(b.N) {
		b.Fatal("select: wrong number of values received")
	}
}

func BenchmarkSelect8(b *testing.B) {
	var c [8]chan int64
	for i := range c {
		c[i] = make(chan int64, 1)
	}
	var sum int64
	b.ResetTimer()
	cpu := processCPU()
	for i := 0; i < b.N; i++ {
		c[i%8] <- 1
		select {
		case v := <-c[0]:
			sum += v
		case v := <-c[1]:
			sum += v
		case v := <-c[2]:
			sum += v
		case v := <-c[3]:
			sum += v
		case v := <-c[4]:
			sum += v
		case v := <-c[5]:
			sum += v
		case v := <-c[6]:
			sum += v
		case v := <-c[7]:
			sum += v
		}
	}
	b.StopTimer()
	reportCPU(b, cpu)
	if sum != int64(b.N) {
		b.Fatal("select: wrong number of values received")
	}
}

// Four goroutines share the iterations; each iteration is one
// Lock / increment / Unlock of a single mutex.
func BenchmarkMutex4(b *testing.B) {
	const workers = 4
	var mu sync.Mutex
	var counter int64
	var wg sync.WaitGroup
	n := b.N
	cpu := processCPU()
	wg.Add(workers)
	for w := 0; w < workers; w++ {
		share := n / workers
		if w == 0 {
			share += n % workers
		}
		go func(share int) {
			for j := 0; j < share; j++ {
				mu.Lock()
				counter++
				mu.Unlock()
			}
			wg.Done()
		}(share)
	}
	wg.Wait()
	b.StopTimer()
	reportCPU(b, cpu)
	if counter != int64(n) {
		b.Fatal("mutex: lost increments")
	}
}
