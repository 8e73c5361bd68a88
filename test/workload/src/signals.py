# signals.py: Python's signal handling, timers and child processes. The
# interpreter's C-level handler only sets a flag (and writes to its wakeup fd);
# the Python handler runs later in the main thread, between bytecodes or when
# a blocking call returns EINTR. Every line printed is deterministic.
import os
import signal
import subprocess
import sys
import threading
import time


class Alarm(Exception):
    pass


def on_alarm(signum, frame):
    raise Alarm(signal.Signals(signum).name)


# signal.alarm: the handler runs during a sleep and raises; the sleep is cut
# short and the exception is caught here.
signal.signal(signal.SIGALRM, on_alarm)
t0 = time.monotonic()
try:
    signal.alarm(1)
    time.sleep(5)
    print("alarm: sleep finished?!")
except Alarm as e:
    took = time.monotonic() - t0
    print(f"alarm: caught Alarm({e}) after 1s: {0.9 <= took < 4}")
print("alarm: remaining after it fired:", signal.alarm(0))

# signal.setitimer(ITIMER_REAL, 0.05, 0.05): count four ticks, then disarm.
ticks = 0


def on_tick(signum, frame):
    global ticks
    ticks += 1


signal.signal(signal.SIGALRM, on_tick)
t0 = time.monotonic()
old = signal.setitimer(signal.ITIMER_REAL, 0.05, 0.05)
print("setitimer: old value", old)
value, interval = signal.getitimer(signal.ITIMER_REAL)
print(f"getitimer while armed: 0 < value <= 0.05: {0 < value <= 0.05}, interval {interval}")
while ticks < 4:
    signal.pause()
signal.setitimer(signal.ITIMER_REAL, 0)
took = time.monotonic() - t0
print(f"setitimer: {ticks} ticks, at least 0.2s: {took >= 0.19}")
print("getitimer after disarming:", signal.getitimer(signal.ITIMER_REAL))
time.sleep(0.15)
print("ticks after disarming and 0.15s:", ticks)
signal.signal(signal.SIGALRM, signal.SIG_DFL)

# threading.Timer: a thread that waits (a timed lock acquire: futex with a
# timeout) and then runs the function.
fired = threading.Event()
timer = threading.Timer(0.05, lambda: fired.set())
t0 = time.monotonic()
timer.start()
print("threading.Timer fired:", fired.wait(10), f"after at least 0.05s: {time.monotonic() - t0 >= 0.05}")
timer.join()
cancelled = threading.Timer(0.05, lambda: print("cancelled timer ran?!"))
cancelled.start()
cancelled.cancel()
cancelled.join()
print("cancelled threading.Timer did not run")

# signal.signal(SIGUSR1) and os.kill of this process.
got = []


def on_usr(signum, frame):
    got.append(signal.Signals(signum).name)


signal.signal(signal.SIGUSR1, on_usr)
os.kill(os.getpid(), signal.SIGUSR1)
# The handler runs at the latest when the next bytecode is evaluated.
for _ in range(1000):
    if got:
        break
    time.sleep(0.001)
print("os.kill(getpid(), SIGUSR1) ran the handler:", got)

# signal.pthread_kill of the main thread (tgkill).
got.clear()
signal.signal(signal.SIGUSR2, on_usr)
signal.pthread_kill(threading.main_thread().ident, signal.SIGUSR2)
for _ in range(1000):
    if got:
        break
    time.sleep(0.001)
print("pthread_kill(main thread, SIGUSR2) ran the handler:", got)

# signal.sigwait in a thread with SIGUSR1 blocked (inherited from the main
# thread's mask at creation), woken by a pthread_kill aimed at it.
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
waited = []
ready = threading.Event()


def waiter():
    ready.set()
    waited.append(signal.Signals(signal.sigwait({signal.SIGUSR1})).name)


th = threading.Thread(target=waiter)
th.start()
ready.wait()
time.sleep(0.05)
signal.pthread_kill(th.ident, signal.SIGUSR1)
th.join(10)
print("sigwait in a thread returned:", waited, "alive:", th.is_alive())

# sigwait in the main thread for a signal sent to the process while blocked:
# it stays pending (the handler does not run) until sigwait consumes it.
got.clear()
os.kill(os.getpid(), signal.SIGUSR1)
print("pending while blocked:", sorted(s.name for s in signal.sigpending()))
print("sigwait in the main thread:", signal.Signals(signal.sigwait({signal.SIGUSR1})).name)
print("pending after sigwait:", sorted(s.name for s in signal.sigpending()), "handler ran:", got)
# sigtimedwait with nothing pending times out.
print("sigtimedwait(0.05) with nothing pending:", signal.sigtimedwait({signal.SIGUSR1}, 0.05))
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGUSR1})

# subprocess: a child killed by SIGTERM reports returncode -15.
child = subprocess.Popen(
    [sys.executable, "-c", "import sys, time; print('child up', flush=True); time.sleep(30)"],
    stdout=subprocess.PIPE,
    text=True,
)
print("child says:", child.stdout.readline().strip())
child.terminate()
print("child returncode after terminate():", child.wait(10))
child.stdout.close()
# And one that kills itself with SIGKILL.
print(
    "self-SIGKILLed child returncode:",
    subprocess.run([sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGKILL)"]).returncode,
)
print("done")
