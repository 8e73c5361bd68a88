// goroutines.go: a static Go program (CGO_ENABLED=0) exercising what the Go
// runtime needs from the kernel: hundreds of goroutines on a few threads
// (clone, futex), timers and sleeping (nanosleep, futex timeouts, epoll_pwait
// with a timeout in the netpoller), channels, sync.WaitGroup and sync.Mutex,
// os/signal (rt_sigaction, tgkill, signal delivery on the signal stack) and
// asynchronous preemption: two goroutines spin in loops that make no function
// calls while GOMAXPROCS is 2, and a third must still run, which it can only
// do when sysmon preempts a spinner with SIGURG sent by tgkill and the
// handler redirects it (a signal frame whose saved context is modified).
//
// Every line printed is deterministic.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func goroutines() {
	const n = 500
	var wg sync.WaitGroup
	var mu sync.Mutex
	sum := 0
	results := make(chan int, 16)
	for i := 1; i <= n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			// Some sleep, so that goroutines park on timers and overlap.
			time.Sleep(time.Duration(i%7) * time.Millisecond)
			mu.Lock()
			sum += i
			mu.Unlock()
			results <- i * i
		}(i)
	}
	go func() { wg.Wait(); close(results) }()
	squares := 0
	count := 0
	for r := range results {
		squares += r
		count++
	}
	fmt.Printf("goroutines: %d done, sum %d, sum of squares %d\n", count, sum, squares)
}

func pipeline() {
	// A chain of 200 goroutines, each adding one and passing the value on.
	const stages = 200
	first := make(chan int)
	in := first
	for i := 0; i < stages; i++ {
		out := make(chan int)
		go func(in <-chan int, out chan<- int) {
			for v := range in {
				out <- v + 1
			}
			close(out)
		}(in, out)
		in = out
	}
	go func() {
		for v := 0; v < 100; v++ {
			first <- v
		}
		close(first)
	}()
	total := 0
	for v := range in {
		total += v
	}
	fmt.Printf("pipeline: %d stages, total %d\n", stages, total)
}

func timers() {
	start := time.Now()
	time.Sleep(30 * time.Millisecond)
	slept := time.Since(start) >= 30*time.Millisecond
	fmt.Printf("time.Sleep(30ms) slept at least 30ms: %v\n", slept)

	// start is read before the timer is armed: read after, a delay between the two would count against the timer.
	start = time.Now()
	t := time.NewTimer(20 * time.Millisecond)
	<-t.C
	fmt.Printf("NewTimer(20ms) fired after at least 20ms: %v\n", time.Since(start) >= 20*time.Millisecond)

	stopped := time.NewTimer(time.Hour)
	fmt.Printf("Stop of a pending timer: %v\n", stopped.Stop())
	fmt.Printf("Reset(10ms) of a stopped timer: %v\n", stopped.Reset(10*time.Millisecond))
	<-stopped.C
	fmt.Println("reset timer fired")

	// time.AfterFunc runs its function in a goroutine of its own.
	done := make(chan string)
	time.AfterFunc(15*time.Millisecond, func() { done <- "AfterFunc ran" })
	fmt.Println(<-done)

	start = time.Now()
	tk := time.NewTicker(10 * time.Millisecond)
	ticks := 0
	for range tk.C {
		ticks++
		if ticks == 5 {
			break
		}
	}
	tk.Stop()
	fmt.Printf("ticker: %d ticks, at least 50ms: %v\n", ticks, time.Since(start) >= 50*time.Millisecond)

	// select with a timeout on a channel nobody sends on.
	never := make(chan int)
	select {
	case <-never:
		fmt.Println("select: received?!")
	case <-time.After(20 * time.Millisecond):
		fmt.Println("select: timed out")
	}

	// Many concurrent timers: 300 goroutines each sleeping 1..30 ms.
	var wg sync.WaitGroup
	var fired int64
	for i := 0; i < 300; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-time.After(time.Duration(1+i%30) * time.Millisecond)
			atomic.AddInt64(&fired, 1)
		}(i)
	}
	wg.Wait()
	fmt.Printf("concurrent timers fired: %d\n", fired)
}

// Sleeps of different lengths in parallel: each lasts at least its duration,
// and all of them together take about the longest one, not the sum.
func parallelSleeps() {
	var wg sync.WaitGroup
	var early int64
	start := time.Now()
	for _, d := range []int{50, 10, 40, 20, 30} {
		wg.Add(1)
		go func(d time.Duration) {
			defer wg.Done()
			t0 := time.Now()
			time.Sleep(d)
			if time.Since(t0) < d {
				atomic.AddInt64(&early, 1)
			}
		}(time.Duration(d) * 4 * time.Millisecond)
	}
	wg.Wait()
	fmt.Printf("parallel sleeps: %d woke early, at least 200ms in all: %v\n", early, time.Since(start) >= 200*time.Millisecond)
}

var stop uint32
var spins [2]uint64

//go:noinline
func spin(i int, started *sync.WaitGroup) {
	started.Done()
	n := uint64(0)
	// No function calls in the loop: no cooperative preemption point.
	for atomic.LoadUint32(&stop) == 0 {
		n++
	}
	atomic.StoreUint64(&spins[i], n)
}

func preemption() {
	prev := runtime.GOMAXPROCS(2)
	var started sync.WaitGroup
	started.Add(2)
	var finished sync.WaitGroup
	finished.Add(2)
	for i := 0; i < 2; i++ {
		go func(i int) { defer finished.Done(); spin(i, &started) }(i)
	}
	started.Wait()
	// Both Ps now run spinners. This goroutine and the ticker's can only run
	// again if the runtime preempts a spinner (SIGURG).
	tk := time.NewTicker(10 * time.Millisecond)
	ticks := 0
	for range tk.C {
		ticks++
		if ticks == 10 {
			break
		}
	}
	tk.Stop()
	// And a third goroutine that must get CPU time while both spin.
	third := make(chan int)
	go func() {
		s := 0
		for i := 1; i <= 1000; i++ {
			s += i
		}
		third <- s
	}()
	s := <-third
	atomic.StoreUint32(&stop, 1)
	finished.Wait()
	runtime.GOMAXPROCS(prev)
	fmt.Printf("preemption: main ran %d ticks and a third goroutine summed %d while 2 goroutines spun (both spun: %v)\n",
		ticks, s, atomic.LoadUint64(&spins[0]) > 0 && atomic.LoadUint64(&spins[1]) > 0)
}

func signals() {
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGUSR1)
	if err := syscall.Kill(os.Getpid(), syscall.SIGUSR1); err != nil {
		fmt.Println("kill:", err)
		return
	}
	select {
	case s := <-c:
		fmt.Printf("os/signal: got %v\n", s)
	case <-time.After(5 * time.Second):
		fmt.Println("os/signal: no signal in 5s")
	}
	signal.Stop(c)
}

func main() {
	fmt.Println("static go")
	goroutines()
	pipeline()
	timers()
	parallelSleeps()
	preemption()
	signals()
	fmt.Println("done")
}
