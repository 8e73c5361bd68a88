/*
 * creds.c: credentials and capabilities (man 7 credentials, man 7
 * capabilities): setuid, setreuid, setresuid, setfsuid and their gid twins,
 * getresuid/getresgid, setgroups/getgroups, capget/capset, the capability
 * fix-ups of user-ID changes, prctl (capability bounding set, ambient set,
 * keepcaps, securebits, no_new_privs, pdeathsig, dumpable, name, timer slack,
 * machine-check policy, THP, subreaper, tid address, PR_SET_MM, PR_SET_VMA),
 * and the privilege rules of the rlimit calls.
 *
 * Runs as root: the transitions go through setresuid states that keep a
 * saved (or real) uid 0 to come back, or use SECBIT_KEEP_CAPS; only the last
 * case drops every privilege for good. Capability checks read the starting
 * sets with capget rather than assume them (a container's root may lack
 * some, e.g. CAP_SYS_RESOURCE), and privilege is removed by clearing bits of
 * the effective set with capset.
 */
#include "check.h"

#include <linux/capability.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#ifndef PR_SET_VMA
#define PR_SET_VMA 0x53564d41
#define PR_SET_VMA_ANON_NAME 0
#endif
#ifndef PR_SET_MM_MAP_SIZE
#define PR_SET_MM_MAP_SIZE 15
#endif
#ifndef SECBIT_KEEP_CAPS
#define SECBIT_NOROOT (1 << 0)
#define SECBIT_KEEP_CAPS (1 << 4)
#define SECBIT_KEEP_CAPS_LOCKED (1 << 5)
#define SECBIT_NO_CAP_AMBIENT_RAISE (1 << 6)
#endif

/* The fs-related capabilities that follow fsuid (CAP_FS_MASK). */
#define FS_MASK_LO                                                                                        \
	((1u << CAP_CHOWN) | (1u << CAP_DAC_OVERRIDE) | (1u << CAP_DAC_READ_SEARCH) | (1u << CAP_FOWNER) | \
	 (1u << CAP_FSETID) | (1u << CAP_LINUX_IMMUTABLE) | (1u << CAP_MKNOD))
#define FS_MASK_HI (1u << (CAP_MAC_OVERRIDE - 32))

static struct __user_cap_data_struct cd[2];
/* The sets at start (effective, permitted). */
static struct __user_cap_data_struct start[2];

static long rcapget(struct __user_cap_data_struct *d)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	return syscall(SYS_capget, &h, d);
}

static long rcapset(const struct __user_cap_data_struct *d)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	return syscall(SYS_capset, &h, d);
}

static int bit(const struct __user_cap_data_struct *d, int cap, int which)
{
	unsigned w = which == 0 ? d[cap / 32].effective : which == 1 ? d[cap / 32].permitted : d[cap / 32].inheritable;
	return (w >> (cap % 32)) & 1;
}
static int has_eff(int cap)
{
	rcapget(cd);
	return bit(cd, cap, 0);
}
static int has_perm(int cap)
{
	rcapget(cd);
	return bit(cd, cap, 1);
}

/* Sets (on) or clears (off) a capability in the effective set; returns capset's result. */
static long eff(int cap, int on)
{
	rcapget(cd);
	if (on)
		cd[cap / 32].effective |= 1u << (cap % 32);
	else
		cd[cap / 32].effective &= ~(1u << (cap % 32));
	return rcapset(cd);
}

static long rsetresuid(long r, long e, long s) { return syscall(SYS_setresuid, r, e, s); }
static long rsetresgid(long r, long e, long s) { return syscall(SYS_setresgid, r, e, s); }
static long rsetfsuid(long u) { return syscall(SYS_setfsuid, u); }
static long rsetfsgid(long g) { return syscall(SYS_setfsgid, g); }

static int resuid_is(unsigned r, unsigned e, unsigned s)
{
	uid_t a, b, c;
	if (syscall(SYS_getresuid, &a, &b, &c) != 0)
		return 0;
	return a == r && b == e && c == s;
}
static int resgid_is(unsigned r, unsigned e, unsigned s)
{
	gid_t a, b, c;
	if (syscall(SYS_getresgid, &a, &b, &c) != 0)
		return 0;
	return a == r && b == e && c == s;
}

/* Back to uid 0 everywhere, every permitted capability effective. */
static void restore_root(void)
{
	rsetresuid(-1, 0, -1);
	rsetresuid(0, 0, 0);
	rsetresgid(0, 0, 0);
	rsetfsuid(0);
	rsetfsgid(0);
	rcapget(cd);
	cd[0].effective = cd[0].permitted;
	cd[1].effective = cd[1].permitted;
	rcapset(cd);
}

static void ids_initial(void)
{
	CHECK(resuid_is(0, 0, 0));
	CHECK(resgid_is(0, 0, 0));
	CHECK_EQ(rsetfsuid(-1), 0);
	CHECK_EQ(rsetfsgid(-1), 0);
	CHECK_EQ(syscall(SYS_getuid), 0);
	CHECK_EQ(syscall(SYS_geteuid), 0);
	uid_t a, b, c;
	CHECK_ERR(syscall(SYS_getresuid, BAD_NULL, &b, &c), EFAULT);
	CHECK_ERR(syscall(SYS_getresuid, &a, BAD_HIGH, &c), EFAULT);
	CHECK_ERR(syscall(SYS_getresgid, &a, &b, BAD_LOW), EFAULT);
	/* root starts with its effective set equal to its permitted set */
	CHECK_OK(rcapget(start));
	CHECK_EQ(start[0].effective, start[0].permitted);
	CHECK_EQ(start[1].effective, start[1].permitted);
	CHECK(bit(start, CAP_SETUID, 0) && bit(start, CAP_SETGID, 0) && bit(start, CAP_SETPCAP, 0));
}

static void setresuid_euid_caps(void)
{
	/* euid 0 -> 1000: effective cleared, permitted kept (saved uid still 0) */
	CHECK_EQ(rsetresuid(-1, 1000, -1), 0);
	CHECK(resuid_is(0, 1000, 0));
	CHECK_EQ(rsetfsuid(-1), 1000);
	CHECK_OK(rcapget(cd));
	CHECK_EQ(cd[0].effective, 0);
	CHECK_EQ(cd[1].effective, 0);
	CHECK_EQ(cd[0].permitted, start[0].permitted);
	CHECK_EQ(cd[1].permitted, start[1].permitted);
	/* without CAP_SETUID, a new uid is refused */
	CHECK_ERR(rsetresuid(-1, 2000, -1), EPERM);
	CHECK_ERR(rsetresuid(2000, -1, -1), EPERM);
	/* euid back to 0: effective = permitted */
	CHECK_EQ(rsetresuid(-1, 0, -1), 0);
	CHECK(resuid_is(0, 0, 0));
	CHECK_OK(rcapget(cd));
	CHECK_EQ(cd[0].effective, start[0].permitted);
	CHECK_EQ(cd[1].effective, start[1].permitted);
	/* a no-op */
	CHECK_EQ(rsetresuid(-1, -1, -1), 0);
	CHECK_EQ(rsetresuid(0, 0, 0), 0);
}

static void setresuid_unprivileged(void)
{
	CHECK_EQ(rsetresuid(1000, 1000, 0), 0);
	CHECK(resuid_is(1000, 1000, 0));
	CHECK_EQ(syscall(SYS_getuid), 1000);
	CHECK_EQ(syscall(SYS_geteuid), 1000);
	CHECK(!has_eff(CAP_SETUID));
	CHECK(has_perm(CAP_SETUID)); /* saved uid 0 keeps the permitted set */
	CHECK_ERR(rsetresuid(-1, 2000, -1), EPERM);
	CHECK_ERR(rsetresuid(-1, -1, 2000), EPERM);
	/* any of the current real, effective, saved uids is fine */
	CHECK_EQ(rsetresuid(0, -1, 1000), 0);
	CHECK(resuid_is(0, 1000, 1000));
	CHECK_EQ(rsetresuid(-1, 0, -1), 0);
	CHECK(resuid_is(0, 0, 1000));
	CHECK(has_eff(CAP_SETUID));
	CHECK_EQ(rsetresuid(0, 0, 0), 0);
	CHECK(resuid_is(0, 0, 0));
}

static void setuid_rules(void)
{
	CHECK_ERR(syscall(SYS_setuid, -1), EINVAL);
	CHECK_EQ(syscall(SYS_setuid, 0), 0);
	CHECK_EQ(rsetresuid(1000, 1000, 0), 0);
	/* unprivileged: only the effective uid moves, to the real or saved uid */
	CHECK_ERR(syscall(SYS_setuid, 2000), EPERM);
	CHECK_EQ(syscall(SYS_setuid, 0), 0);
	CHECK(resuid_is(1000, 0, 0));
	CHECK_EQ(rsetfsuid(-1), 0);
	/* privileged again (euid 0): all three */
	CHECK_EQ(syscall(SYS_setuid, 0), 0);
	CHECK(resuid_is(0, 0, 0));
}

static void setreuid_rules(void)
{
	/* setting the real uid makes saved = effective */
	CHECK_EQ(syscall(SYS_setreuid, 1000, -1), 0);
	CHECK(resuid_is(1000, 0, 0));
	/* euid set to the old real uid: saved unchanged */
	CHECK_EQ(syscall(SYS_setreuid, -1, 1000), 0);
	CHECK(resuid_is(1000, 1000, 0));
	CHECK(!has_eff(CAP_SETUID));
	/* unprivileged: the real uid may only become the real or effective uid (not the saved one) */
	CHECK_ERR(syscall(SYS_setreuid, 0, -1), EPERM);
	CHECK_ERR(syscall(SYS_setreuid, 2000, -1), EPERM);
	CHECK_ERR(syscall(SYS_setreuid, -1, 2000), EPERM);
	/* the effective uid may become the saved one; it differs from the real uid, so saved = effective */
	CHECK_EQ(syscall(SYS_setreuid, -1, 0), 0);
	CHECK(resuid_is(1000, 0, 0));
	CHECK_EQ(syscall(SYS_setreuid, 0, 0), 0);
	CHECK(resuid_is(0, 0, 0));
	CHECK_EQ(syscall(SYS_setreuid, -1, -1), 0);
}

static void setfsuid_caps(void)
{
	CHECK_EQ(rsetfsuid(1000), 0);
	CHECK_EQ(rsetfsuid(-1), 1000);
	CHECK_OK(rcapget(cd));
	/* CAP_FS_MASK left the effective set, the rest stayed */
	CHECK_EQ(cd[0].effective, start[0].effective & ~FS_MASK_LO);
	CHECK_EQ(cd[1].effective, start[1].effective & ~FS_MASK_HI);
	CHECK_EQ(cd[0].permitted, start[0].permitted);
	CHECK(resuid_is(0, 0, 0));
	CHECK_EQ(rsetfsuid(0), 1000);
	CHECK_OK(rcapget(cd));
	CHECK_EQ(cd[0].effective, start[0].effective);
	CHECK_EQ(cd[1].effective, start[1].effective);
	/* unprivileged: fsuid only to a current uid; the old value comes back either way */
	CHECK_EQ(rsetresuid(-1, 1000, -1), 0);
	CHECK_EQ(rsetfsuid(2000), 1000);
	CHECK_EQ(rsetfsuid(-1), 1000);
	CHECK_EQ(rsetfsuid(0), 1000);
	CHECK_EQ(rsetfsuid(-1), 0);
	/* fsuid 0 with euid 1000: the permitted fs capabilities are effective again */
	CHECK_OK(rcapget(cd));
	CHECK_EQ(cd[0].effective, start[0].permitted & FS_MASK_LO);
	CHECK_EQ(cd[1].effective, start[1].permitted & FS_MASK_HI);
	CHECK_EQ(rsetresuid(-1, 0, -1), 0);
	CHECK_EQ(rsetfsuid(-1), 0);
	CHECK_OK(rcapget(cd));
	CHECK_EQ(cd[0].effective, start[0].permitted);
}

static void setgid_family(void)
{
	CHECK_ERR(syscall(SYS_setgid, -1), EINVAL);
	CHECK_EQ(rsetresgid(-1, 100, -1), 0);
	CHECK(resgid_is(0, 100, 0));
	CHECK_EQ(rsetfsgid(-1), 100);
	CHECK_EQ(syscall(SYS_getegid), 100);
	CHECK_EQ(syscall(SYS_setregid, 200, -1), 0);
	CHECK(resgid_is(200, 100, 100));
	/* group changes leave the capabilities alone */
	CHECK_OK(rcapget(cd));
	CHECK_EQ(cd[0].effective, start[0].effective);
	/* without CAP_SETGID (cleared from the effective set): the uid does not matter */
	CHECK_EQ(eff(CAP_SETGID, 0), 0);
	CHECK_ERR(syscall(SYS_setgid, 5000), EPERM);
	CHECK_ERR(rsetresgid(-1, 5000, -1), EPERM);
	CHECK_ERR(syscall(SYS_setregid, 5000, -1), EPERM);
	CHECK_EQ(rsetfsgid(5000), 100);
	CHECK_EQ(rsetfsgid(-1), 100);
	CHECK_EQ(rsetfsgid(200), 100);
	CHECK_EQ(syscall(SYS_setgid, 200), 0); /* the real gid: only the effective one changes */
	CHECK(resgid_is(200, 200, 100));
	CHECK_EQ(rsetfsgid(-1), 200);
	CHECK_EQ(eff(CAP_SETGID, 1), 0);
	CHECK_EQ(syscall(SYS_setgid, 0), 0);
	CHECK(resgid_is(0, 0, 0));
}

static void groups_rules(void)
{
	gid_t g[8], want[3] = {10, 20, 30};
	gid_t in[3] = {30, 10, 20};
	CHECK_EQ(syscall(SYS_setgroups, 3, in), 0);
	CHECK_EQ(syscall(SYS_getgroups, 0, NULL), 3);
	CHECK_EQ(syscall(SYS_getgroups, 8, g), 3);
	CHECK(memcmp(g, want, sizeof(want)) == 0); /* sorted */
	CHECK_ERR(syscall(SYS_getgroups, 2, g), EINVAL);
	CHECK_ERR(syscall(SYS_getgroups, -1, g), EINVAL);
	CHECK_ERR(syscall(SYS_getgroups, 3, BAD_LOW), EFAULT);
	CHECK_ERR(syscall(SYS_setgroups, 65537, in), EINVAL);
	CHECK_ERR(syscall(SYS_setgroups, -1, in), EINVAL);
	CHECK_ERR(syscall(SYS_setgroups, 1, BAD_NULL), EFAULT);
	gid_t bad[2] = {5, (gid_t)-1};
	CHECK_ERR(syscall(SYS_setgroups, 2, bad), EINVAL);
	CHECK_EQ(syscall(SYS_getgroups, 0, NULL), 3); /* unchanged by the failures */
	gid_t dup[2] = {7, 7};
	CHECK_EQ(syscall(SYS_setgroups, 2, dup), 0);
	CHECK_EQ(syscall(SYS_getgroups, 8, g), 2);
	CHECK(g[0] == 7 && g[1] == 7);
	/* a large list */
	static gid_t many[70000];
	for (int i = 0; i < 65536; i++)
		many[i] = 65535 - i;
	CHECK_EQ(syscall(SYS_setgroups, 65536, many), 0);
	CHECK_EQ(syscall(SYS_getgroups, 70000, many), 65536);
	CHECK(many[0] == 0 && many[65535] == 65535);
	CHECK_EQ(eff(CAP_SETGID, 0), 0);
	CHECK_ERR(syscall(SYS_setgroups, 0, NULL), EPERM);
	CHECK_EQ(eff(CAP_SETGID, 1), 0);
	CHECK_EQ(syscall(SYS_setgroups, 0, NULL), 0);
	CHECK_EQ(syscall(SYS_getgroups, 0, NULL), 0);
	CHECK_EQ(syscall(SYS_getgroups, 1, g), 0);
}

static void capget_versions(void)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	memset(d, 0xa5, sizeof(d));
	CHECK_EQ(syscall(SYS_capget, &h, d), 0);
	CHECK_EQ(d[0].permitted, start[0].permitted);
	CHECK_EQ(d[1].permitted, start[1].permitted);
	/* version 1: one 32-bit word; the second element is not touched */
	memset(d, 0xa5, sizeof(d));
	h.version = _LINUX_CAPABILITY_VERSION_1;
	CHECK_EQ(syscall(SYS_capget, &h, d), 0);
	CHECK_EQ(d[0].permitted, start[0].permitted);
	CHECK_EQ(d[1].permitted, 0xa5a5a5a5u);
	h.version = _LINUX_CAPABILITY_VERSION_2;
	CHECK_EQ(syscall(SYS_capget, &h, d), 0);
	CHECK_EQ(d[1].permitted, start[1].permitted);
	/* an unknown version: EINVAL, and the preferred version is written back */
	h.version = 0x12345678;
	CHECK_ERR(syscall(SYS_capget, &h, d), EINVAL);
	CHECK_EQ(h.version, _LINUX_CAPABILITY_VERSION_3);
	/* the probe: NULL data is no error */
	h.version = 0;
	CHECK_EQ(syscall(SYS_capget, &h, NULL), 0);
	CHECK_EQ(h.version, _LINUX_CAPABILITY_VERSION_3);
	CHECK_EQ(syscall(SYS_capget, &h, NULL), 0);
	CHECK_ERR(syscall(SYS_capget, BAD_NULL, d), EFAULT);
	CHECK_ERR(syscall(SYS_capget, &h, BAD_LOW), EFAULT);
	h.pid = -1;
	CHECK_ERR(syscall(SYS_capget, &h, d), EINVAL);
	h.pid = 0x7ffffff0;
	CHECK_ERR(syscall(SYS_capget, &h, d), ESRCH);
	h.pid = (int)syscall(SYS_gettid);
	CHECK_EQ(syscall(SYS_capget, &h, d), 0);
	CHECK_EQ(d[0].effective, start[0].effective);
}

static void capset_rules(void)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	CHECK_OK(rcapget(cd));
	CHECK_EQ(syscall(SYS_capset, &h, cd), 0); /* no change */
	/* effective within permitted: drop one and raise it again */
	CHECK_EQ(eff(CAP_NET_RAW, 0), 0);
	CHECK(!has_eff(CAP_NET_RAW) && has_perm(CAP_NET_RAW));
	CHECK_EQ(eff(CAP_NET_RAW, 1), 0);
	CHECK(has_eff(CAP_NET_RAW));
	/* permitted never grows back */
	CHECK_OK(rcapget(cd));
	cd[1].permitted &= ~(1u << (CAP_WAKE_ALARM - 32));
	cd[1].effective &= ~(1u << (CAP_WAKE_ALARM - 32));
	CHECK_EQ(rcapset(cd), 0);
	CHECK(!has_perm(CAP_WAKE_ALARM));
	cd[1].effective |= 1u << (CAP_WAKE_ALARM - 32);
	CHECK_ERR(rcapset(cd), EPERM); /* effective beyond permitted */
	CHECK_OK(rcapget(cd));
	cd[1].permitted |= 1u << (CAP_WAKE_ALARM - 32);
	CHECK_ERR(rcapset(cd), EPERM);
	/* inheritable: anything within inheritable|permitted, or bounding with CAP_SETPCAP */
	CHECK_OK(rcapget(cd));
	cd[0].inheritable = 1u << CAP_NET_RAW;
	CHECK_EQ(rcapset(cd), 0);
	CHECK(bit(cd, CAP_NET_RAW, 2));
	CHECK_OK(rcapget(cd));
	CHECK_EQ(cd[0].inheritable, 1u << CAP_NET_RAW);
	cd[1].inheritable = 1u << (CAP_WAKE_ALARM - 32); /* not permitted, but CAP_SETPCAP and in bounding */
	CHECK_EQ(rcapset(cd), 0);
	cd[1].inheritable = 0;
	CHECK_EQ(rcapset(cd), 0);
	CHECK_EQ(eff(CAP_SETPCAP, 0), 0);
	CHECK_OK(rcapget(cd));
	cd[1].inheritable = 1u << (CAP_WAKE_ALARM - 32);
	CHECK_ERR(rcapset(cd), EPERM); /* without CAP_SETPCAP: only within inheritable|permitted */
	CHECK_EQ(eff(CAP_SETPCAP, 1), 0);
	/* out of the bounding set: never, even with CAP_SETPCAP */
	CHECK_EQ(prctl(PR_CAPBSET_DROP, CAP_WAKE_ALARM, 0, 0, 0), 0);
	CHECK_OK(rcapget(cd));
	cd[1].inheritable = 1u << (CAP_WAKE_ALARM - 32);
	CHECK_ERR(rcapset(cd), EPERM);
	/* bits beyond the last capability are ignored */
	CHECK_OK(rcapget(cd));
	cd[1].inheritable = 0x80000000u;
	CHECK_EQ(rcapset(cd), 0);
	CHECK_OK(rcapget(cd));
	CHECK_EQ(cd[1].inheritable, 0);
	/* only the caller */
	h.pid = 0x7ffffff0;
	CHECK_ERR(syscall(SYS_capset, &h, cd), EPERM);
	h.pid = (int)syscall(SYS_gettid);
	CHECK_EQ(syscall(SYS_capset, &h, cd), 0);
	h.pid = 0;
	h.version = 0x12345678;
	CHECK_ERR(syscall(SYS_capset, &h, cd), EINVAL);
	CHECK_EQ(h.version, _LINUX_CAPABILITY_VERSION_3);
	h.version = 0x12345678;
	CHECK_ERR(syscall(SYS_capset, &h, BAD_NULL), EINVAL); /* the version is checked first */
	h.version = _LINUX_CAPABILITY_VERSION_3;
	CHECK_ERR(syscall(SYS_capset, &h, BAD_NULL), EFAULT);
	CHECK_ERR(syscall(SYS_capset, BAD_LOW, cd), EFAULT);
	cd[0].inheritable = 0;
	CHECK_EQ(rcapset(cd), 0);
}

static void capbset(void)
{
	CHECK_EQ(prctl(PR_CAPBSET_READ, CAP_CHOWN, 0, 0, 0), 1);
	CHECK_EQ(prctl(PR_CAPBSET_READ, CAP_LAST_CAP, 0, 0, 0), 1);
	CHECK_ERR(prctl(PR_CAPBSET_READ, CAP_LAST_CAP + 1, 0, 0, 0), EINVAL);
	CHECK_ERR(prctl(PR_CAPBSET_READ, -1L, 0, 0, 0), EINVAL);
	CHECK_ERR(prctl(PR_CAPBSET_READ, 0x100000000L, 0, 0, 0), EINVAL);
	CHECK_ERR(prctl(PR_CAPBSET_DROP, CAP_LAST_CAP + 1, 0, 0, 0), EINVAL);
	CHECK_EQ(prctl(PR_CAPBSET_DROP, CAP_BLOCK_SUSPEND, 0, 0, 0), 0);
	CHECK_EQ(prctl(PR_CAPBSET_READ, CAP_BLOCK_SUSPEND, 0, 0, 0), 0);
	CHECK_EQ(prctl(PR_CAPBSET_DROP, CAP_BLOCK_SUSPEND, 0, 0, 0), 0); /* again: fine */
	/* the bounding set limits future gains only: permitted keeps it */
	CHECK(has_perm(CAP_BLOCK_SUSPEND));
	CHECK_EQ(eff(CAP_SETPCAP, 0), 0);
	CHECK_ERR(prctl(PR_CAPBSET_DROP, CAP_BLOCK_SUSPEND, 0, 0, 0), EPERM);
	CHECK_ERR(prctl(PR_CAPBSET_DROP, CAP_LAST_CAP + 1, 0, 0, 0), EPERM); /* privilege first */
	CHECK_EQ(prctl(PR_CAPBSET_READ, CAP_CHOWN, 0, 0, 0), 1);
	CHECK_EQ(eff(CAP_SETPCAP, 1), 0);
}

static void ambient(void)
{
	CHECK_EQ(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_NET_RAW, 0, 0), 0);
	/* raising needs the capability both permitted and inheritable */
	CHECK_ERR(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_RAW, 0, 0), EPERM);
	CHECK_OK(rcapget(cd));
	cd[0].inheritable |= 1u << CAP_NET_RAW;
	CHECK_EQ(rcapset(cd), 0);
	CHECK_EQ(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_RAW, 0, 0), 0);
	CHECK_EQ(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_NET_RAW, 0, 0), 1);
	/* dropping it from inheritable drops it from ambient */
	CHECK_OK(rcapget(cd));
	cd[0].inheritable &= ~(1u << CAP_NET_RAW);
	CHECK_EQ(rcapset(cd), 0);
	CHECK_EQ(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_NET_RAW, 0, 0), 0);
	cd[0].inheritable |= 1u << CAP_NET_RAW;
	CHECK_EQ(rcapset(cd), 0);
	CHECK_EQ(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_RAW, 0, 0), 0);
	CHECK_EQ(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_LOWER, CAP_NET_RAW, 0, 0), 0);
	CHECK_EQ(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_NET_RAW, 0, 0), 0);
	CHECK_EQ(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_RAW, 0, 0), 0);
	/* effective euid changes keep it; the last root uid leaving would clear it */
	CHECK_EQ(rsetresuid(-1, 1000, -1), 0);
	CHECK_EQ(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_NET_RAW, 0, 0), 1);
	CHECK_EQ(rsetresuid(-1, 0, -1), 0);
	CHECK_ERR(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 1, 0, 0), EINVAL);
	CHECK_EQ(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0), 0);
	CHECK_EQ(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_NET_RAW, 0, 0), 0);
	CHECK_ERR(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_LAST_CAP + 1, 0, 0), EINVAL);
	CHECK_ERR(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_NET_RAW, 1, 0), EINVAL);
	CHECK_ERR(prctl(PR_CAP_AMBIENT, 5, CAP_NET_RAW, 0, 0), EINVAL);
	CHECK_ERR(prctl(PR_CAP_AMBIENT, 0, CAP_NET_RAW, 0, 0), EINVAL);
	/* SECBIT_NO_CAP_AMBIENT_RAISE forbids raising */
	CHECK_EQ(prctl(PR_SET_SECUREBITS, SECBIT_NO_CAP_AMBIENT_RAISE, 0, 0, 0), 0);
	CHECK_ERR(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_RAW, 0, 0), EPERM);
	CHECK_EQ(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_LOWER, CAP_NET_RAW, 0, 0), 0);
	CHECK_EQ(prctl(PR_SET_SECUREBITS, 0, 0, 0, 0), 0);
	CHECK_OK(rcapget(cd));
	cd[0].inheritable = 0;
	CHECK_EQ(rcapset(cd), 0);
}

static void keepcaps(void)
{
	CHECK_EQ(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0), 0);
	CHECK_ERR(prctl(PR_SET_KEEPCAPS, 2, 0, 0, 0), EINVAL);
	CHECK_EQ(prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0), 0);
	CHECK_EQ(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0), 1);
	CHECK_EQ(prctl(PR_GET_SECUREBITS, 0, 0, 0, 0), SECBIT_KEEP_CAPS);
	/* every uid nonzero: permitted kept, effective cleared */
	CHECK_EQ(rsetresuid(1000, 1000, 1000), 0);
	CHECK(resuid_is(1000, 1000, 1000));
	CHECK_OK(rcapget(cd));
	CHECK_EQ(cd[0].permitted, start[0].permitted);
	CHECK_EQ(cd[0].effective, 0);
	CHECK_EQ(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0), 1); /* set*uid does not reset it */
	/* capabilities, not uid 0, grant privilege: make CAP_SETUID effective and go back */
	CHECK_ERR(rsetresuid(0, 0, 0), EPERM);
	CHECK_EQ(eff(CAP_SETUID, 1), 0);
	CHECK_EQ(rsetresuid(0, 0, 0), 0);
	CHECK(resuid_is(0, 0, 0));
	/* euid back to 0: effective = permitted */
	CHECK_OK(rcapget(cd));
	CHECK_EQ(cd[0].effective, cd[0].permitted);
	CHECK_EQ(prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0), 0);
	CHECK_EQ(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0), 0);
}

static void securebits(void)
{
	CHECK_EQ(prctl(PR_GET_SECUREBITS, 0, 0, 0, 0), 0);
	CHECK_EQ(prctl(PR_SET_SECUREBITS, SECBIT_KEEP_CAPS, 0, 0, 0), 0);
	CHECK_EQ(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0), 1);
	CHECK_ERR(prctl(PR_SET_SECUREBITS, 1 << 12, 0, 0, 0), EPERM); /* unknown bit */
	CHECK_ERR(prctl(PR_SET_SECUREBITS, 0x100000000L, 0, 0, 0), EPERM);
	CHECK_EQ(eff(CAP_SETPCAP, 0), 0);
	CHECK_ERR(prctl(PR_SET_SECUREBITS, 0, 0, 0, 0), EPERM);
	CHECK_EQ(prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0), 0); /* no privilege needed */
	CHECK_EQ(eff(CAP_SETPCAP, 1), 0);
	CHECK_EQ(prctl(PR_GET_SECUREBITS, 0, 0, 0, 0), 0);
	/* locking: KEEP_CAPS locked off (for good) */
	CHECK_EQ(prctl(PR_SET_SECUREBITS, SECBIT_KEEP_CAPS_LOCKED, 0, 0, 0), 0);
	CHECK_EQ(prctl(PR_GET_SECUREBITS, 0, 0, 0, 0), SECBIT_KEEP_CAPS_LOCKED);
	CHECK_ERR(prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0), EPERM);
	CHECK_ERR(prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0), EPERM);
	CHECK_ERR(prctl(PR_SET_SECUREBITS, SECBIT_KEEP_CAPS_LOCKED | SECBIT_KEEP_CAPS, 0, 0, 0), EPERM);
	CHECK_ERR(prctl(PR_SET_SECUREBITS, 0, 0, 0, 0), EPERM); /* no unlocking */
	CHECK_EQ(prctl(PR_SET_SECUREBITS, SECBIT_KEEP_CAPS_LOCKED, 0, 0, 0), 0);
	CHECK_EQ(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0), 0);
}

static void no_new_privs(void)
{
	CHECK_EQ(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 0);
	CHECK_ERR(prctl(PR_SET_NO_NEW_PRIVS, 0, 0, 0, 0), EINVAL);
	CHECK_ERR(prctl(PR_SET_NO_NEW_PRIVS, 2, 0, 0, 0), EINVAL);
	CHECK_ERR(prctl(PR_SET_NO_NEW_PRIVS, 1, 1, 0, 0), EINVAL);
	CHECK_ERR(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 1), EINVAL);
	CHECK_EQ(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 0);
	CHECK_EQ(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0);
	CHECK_EQ(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 1);
	CHECK_EQ(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0);
	CHECK_ERR(prctl(PR_SET_NO_NEW_PRIVS, 0, 0, 0, 0), EINVAL); /* cannot be unset */
	CHECK_ERR(prctl(PR_GET_NO_NEW_PRIVS, 1, 0, 0, 0), EINVAL);
	/* it does not restrict set*uid or capset */
	CHECK_EQ(rsetresuid(-1, 1000, -1), 0);
	CHECK_EQ(rsetresuid(-1, 0, -1), 0);
}

static void pdeathsig(void)
{
	int sig = -1;
	CHECK_EQ(prctl(PR_GET_PDEATHSIG, &sig, 0, 0, 0), 0);
	CHECK_EQ(sig, 0);
	CHECK_ERR(prctl(PR_SET_PDEATHSIG, 65, 0, 0, 0), EINVAL);
	CHECK_ERR(prctl(PR_SET_PDEATHSIG, -1L, 0, 0, 0), EINVAL);
	CHECK_EQ(prctl(PR_SET_PDEATHSIG, 64, 0, 0, 0), 0);
	CHECK_EQ(prctl(PR_SET_PDEATHSIG, SIGUSR1, 0, 0, 0), 0);
	CHECK_EQ(prctl(PR_GET_PDEATHSIG, &sig, 0, 0, 0), 0);
	CHECK_EQ(sig, SIGUSR1);
	CHECK_ERR(prctl(PR_GET_PDEATHSIG, BAD_NULL, 0, 0, 0), EFAULT);
	CHECK_ERR(prctl(PR_GET_PDEATHSIG, BAD_HIGH, 0, 0, 0), EFAULT);
	/* a credential change of the effective uid clears it (commit_creds) */
	CHECK_EQ(rsetresuid(-1, 1000, -1), 0);
	CHECK_EQ(prctl(PR_GET_PDEATHSIG, &sig, 0, 0, 0), 0);
	CHECK_EQ(sig, 0);
	CHECK_EQ(rsetresuid(-1, 0, -1), 0);
	/* a change of the real uid alone does not */
	CHECK_EQ(prctl(PR_SET_PDEATHSIG, SIGUSR2, 0, 0, 0), 0);
	CHECK_EQ(rsetresuid(1000, -1, -1), 0);
	CHECK_EQ(prctl(PR_GET_PDEATHSIG, &sig, 0, 0, 0), 0);
	CHECK_EQ(sig, SIGUSR2);
	CHECK_EQ(rsetresuid(0, -1, -1), 0);
	CHECK_EQ(prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0), 0);
}

static void dumpable(void)
{
	CHECK_EQ(prctl(PR_SET_DUMPABLE, 1, 0, 0, 0), 0);
	CHECK_EQ(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 1);
	CHECK_ERR(prctl(PR_SET_DUMPABLE, 2, 0, 0, 0), EINVAL);
	CHECK_ERR(prctl(PR_SET_DUMPABLE, 0x100000001L, 0, 0, 0), EINVAL);
	CHECK_EQ(prctl(PR_SET_DUMPABLE, 0, 0, 0, 0), 0);
	CHECK_EQ(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
	CHECK_EQ(prctl(PR_SET_DUMPABLE, 1, 0, 0, 0), 0);
	/* an fsuid change makes the process non-dumpable (fs.suid_dumpable 0) */
	CHECK_EQ(rsetfsuid(1000), 0);
	CHECK_EQ(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
	CHECK_EQ(rsetfsuid(0), 1000);
	CHECK_EQ(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
	CHECK_EQ(prctl(PR_SET_DUMPABLE, 1, 0, 0, 0), 0);
	/* so does losing permitted capabilities? No: only gaining, or ID changes. */
	CHECK_OK(rcapget(cd));
	cd[0].effective &= ~(1u << CAP_NET_RAW);
	CHECK_EQ(rcapset(cd), 0);
	CHECK_EQ(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 1);
	CHECK_EQ(eff(CAP_NET_RAW, 1), 0);
	/* nor does a real-uid-only change */
	CHECK_EQ(rsetresuid(1000, -1, -1), 0);
	CHECK_EQ(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 1);
	CHECK_EQ(rsetresuid(0, -1, -1), 0);
}

static void prctl_name(void)
{
	char buf[32];
	CHECK_EQ(prctl(PR_SET_NAME, "hello", 0, 0, 0), 0);
	memset(buf, 'x', sizeof(buf));
	CHECK_EQ(prctl(PR_GET_NAME, buf, 0, 0, 0), 0);
	CHECK(strcmp(buf, "hello") == 0);
	CHECK_EQ(buf[16], 'x'); /* exactly 16 bytes written */
	CHECK_EQ(prctl(PR_SET_NAME, "abcdefghijklmnopqrstuvwxyz", 0, 0, 0), 0);
	CHECK_EQ(prctl(PR_GET_NAME, buf, 0, 0, 0), 0);
	CHECK(strcmp(buf, "abcdefghijklmno") == 0);
	/* 15 bytes right before an unmapped page: only those are read */
	char *p = newline_page();
	memcpy(p + PAGE - 15, "fifteen-bytes!!", 15);
	CHECK_EQ(prctl(PR_SET_NAME, p + PAGE - 15, 0, 0, 0), 0);
	CHECK_EQ(prctl(PR_GET_NAME, buf, 0, 0, 0), 0);
	CHECK(strcmp(buf, "fifteen-bytes!!") == 0);
	CHECK_ERR(prctl(PR_SET_NAME, p + PAGE - 14, 0, 0, 0), EFAULT);
	memset(p + PAGE - 15, '\n', 15);
	CHECK_ERR(prctl(PR_SET_NAME, BAD_NULL, 0, 0, 0), EFAULT);
	CHECK_ERR(prctl(PR_GET_NAME, BAD_HIGH, 0, 0, 0), EFAULT);
	CHECK_EQ(prctl(PR_SET_NAME, "", 0, 0, 0), 0);
	CHECK_EQ(prctl(PR_GET_NAME, buf, 0, 0, 0), 0);
	CHECK_EQ(buf[0], 0);
	CHECK_EQ(prctl(PR_SET_NAME, "creds", 0, 0, 0), 0);
}

static void prctl_misc(void)
{
	long slack = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
	CHECK(slack > 0);
	CHECK_EQ(prctl(PR_SET_TIMERSLACK, 1000, 0, 0, 0), 0);
	CHECK_EQ(prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0), 1000);
	CHECK_EQ(prctl(PR_SET_TIMERSLACK, 0, 0, 0, 0), 0); /* back to the default */
	CHECK_EQ(prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0), slack);

	CHECK_EQ(prctl(PR_MCE_KILL_GET, 0, 0, 0, 0), PR_MCE_KILL_DEFAULT);
	CHECK_EQ(prctl(PR_MCE_KILL, PR_MCE_KILL_SET, PR_MCE_KILL_EARLY, 0, 0), 0);
	CHECK_EQ(prctl(PR_MCE_KILL_GET, 0, 0, 0, 0), PR_MCE_KILL_EARLY);
	CHECK_EQ(prctl(PR_MCE_KILL, PR_MCE_KILL_SET, PR_MCE_KILL_LATE, 0, 0), 0);
	CHECK_EQ(prctl(PR_MCE_KILL_GET, 0, 0, 0, 0), PR_MCE_KILL_LATE);
	CHECK_ERR(prctl(PR_MCE_KILL, PR_MCE_KILL_SET, 5, 0, 0), EINVAL);
	CHECK_ERR(prctl(PR_MCE_KILL, PR_MCE_KILL_CLEAR, 1, 0, 0), EINVAL);
	CHECK_ERR(prctl(PR_MCE_KILL, 2, 0, 0, 0), EINVAL);
	CHECK_ERR(prctl(PR_MCE_KILL_GET, 1, 0, 0, 0), EINVAL);
	CHECK_EQ(prctl(PR_MCE_KILL, PR_MCE_KILL_CLEAR, 0, 0, 0), 0);
	CHECK_EQ(prctl(PR_MCE_KILL_GET, 0, 0, 0, 0), PR_MCE_KILL_DEFAULT);

	CHECK_EQ(prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0), 0);
	CHECK_EQ(prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0), 0);
	CHECK_EQ(prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0), 1);
	CHECK_ERR(prctl(PR_GET_THP_DISABLE, 1, 0, 0, 0), EINVAL);
	CHECK_ERR(prctl(PR_SET_THP_DISABLE, 0, 1, 0, 0), EINVAL);
	CHECK_EQ(prctl(PR_SET_THP_DISABLE, 0, 0, 0, 0), 0);
	CHECK_EQ(prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0), 0);

	CHECK_EQ(prctl(PR_GET_SECCOMP, 0, 0, 0, 0), 0);
	CHECK_EQ(prctl(PR_GET_TIMING, 0, 0, 0, 0), PR_TIMING_STATISTICAL);
	CHECK_EQ(prctl(PR_SET_TIMING, PR_TIMING_STATISTICAL, 0, 0, 0), 0);
	CHECK_ERR(prctl(PR_SET_TIMING, PR_TIMING_TIMESTAMP, 0, 0, 0), EINVAL);
	int tsc = 0;
	CHECK_EQ(prctl(PR_GET_TSC, &tsc, 0, 0, 0), 0);
	CHECK_EQ(tsc, PR_TSC_ENABLE);
	CHECK_EQ(prctl(PR_SET_TSC, PR_TSC_ENABLE, 0, 0, 0), 0);
	CHECK_ERR(prctl(PR_SET_TSC, 3, 0, 0, 0), EINVAL);

	int sub = -1;
	CHECK_EQ(prctl(PR_GET_CHILD_SUBREAPER, &sub, 0, 0, 0), 0);
	CHECK_EQ(sub, 0);
	CHECK_EQ(prctl(PR_SET_CHILD_SUBREAPER, 7, 0, 0, 0), 0);
	CHECK_EQ(prctl(PR_GET_CHILD_SUBREAPER, &sub, 0, 0, 0), 0);
	CHECK_EQ(sub, 1);
	CHECK_ERR(prctl(PR_GET_CHILD_SUBREAPER, BAD_NULL, 0, 0, 0), EFAULT);
	CHECK_EQ(prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0), 0);
	CHECK_EQ(prctl(PR_GET_CHILD_SUBREAPER, &sub, 0, 0, 0), 0);
	CHECK_EQ(sub, 0);

	/* PR_GET_TID_ADDRESS returns set_tid_address's pointer */
	int *orig = (int *)0x1;
	CHECK_EQ(prctl(PR_GET_TID_ADDRESS, &orig, 0, 0, 0), 0);
	static int ctid;
	CHECK_EQ(syscall(SYS_set_tid_address, &ctid), syscall(SYS_gettid));
	int *got = NULL;
	CHECK_EQ(prctl(PR_GET_TID_ADDRESS, &got, 0, 0, 0), 0);
	CHECK(got == &ctid);
	CHECK_EQ(syscall(SYS_set_tid_address, orig), syscall(SYS_gettid));
	CHECK_ERR(prctl(PR_GET_TID_ADDRESS, BAD_LOW, 0, 0, 0), EFAULT);

	/* options that do not exist, or not on x86-64 */
	CHECK_ERR(prctl(0, 0, 0, 0, 0), EINVAL);
	CHECK_ERR(prctl(1000, 0, 0, 0, 0), EINVAL);
	CHECK_ERR(prctl(-1, 0, 0, 0, 0), EINVAL);
	CHECK_ERR(prctl(PR_GET_FP_MODE, 0, 0, 0, 0), EINVAL);
	CHECK_ERR(prctl(PR_GET_ENDIAN, &tsc, 0, 0, 0), EINVAL);
}

static void prctl_set_mm(void)
{
	unsigned size = 0;
	CHECK_EQ(prctl(PR_SET_MM, PR_SET_MM_MAP_SIZE, &size, 0, 0), 0);
	CHECK_EQ(size, 104);
	CHECK_ERR(prctl(PR_SET_MM, PR_SET_MM_MAP_SIZE, BAD_NULL, 0, 0), EFAULT);
	CHECK_ERR(prctl(PR_SET_MM, PR_SET_MM_START_CODE, 0x400000, 0, 1), EINVAL);
	CHECK_ERR(prctl(PR_SET_MM, PR_SET_MM_START_CODE, 0x400000, 1, 0), EINVAL);
	if (has_eff(CAP_SYS_RESOURCE)) {
		CHECK_ERR(prctl(PR_SET_MM, PR_SET_MM_START_CODE, 0, 0, 0), EINVAL); /* below mmap_min_addr */
		CHECK_ERR(prctl(PR_SET_MM, PR_SET_MM_START_CODE, 0x800000000000L, 0, 0), EINVAL);
		CHECK_ERR(prctl(PR_SET_MM, 100, 0x400000, 0, 0), EINVAL);
		CHECK_EQ(eff(CAP_SYS_RESOURCE, 0), 0);
	}
	CHECK_ERR(prctl(PR_SET_MM, PR_SET_MM_START_CODE, 0x400000, 0, 0), EPERM);
	CHECK_ERR(prctl(PR_SET_MM, 100, 0x400000, 0, 0), EPERM);
	if (has_perm(CAP_SYS_RESOURCE))
		CHECK_EQ(eff(CAP_SYS_RESOURCE, 1), 0);
}

/* 1 if /proc/self/maps has a line for addr ending in name. */
static int maps_name(void *addr, const char *name)
{
	static char buf[65536];
	FILE *f = fopen("/proc/self/maps", "r");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	char key[32];
	snprintf(key, sizeof(key), "%lx-", (unsigned long)addr);
	char *line = strstr(buf, key);
	if (!line)
		return 0;
	char *end = strchr(line, '\n');
	if (end)
		*end = 0;
	size_t ln = strlen(line), nn = strlen(name);
	return ln >= nn && strcmp(line + ln - nn, name) == 0;
}

static void prctl_set_vma(void)
{
	char *p = (char *)syscall(SYS_mmap, NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED);
	errno = 0;
	long r = prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, p, 2 * PAGE, "creds-test");
	if (r == -1 && errno == EINVAL) {
		/* A kernel built without CONFIG_ANON_VMA_NAME (the sandbox has it). */
		say("# prctl_set_vma: PR_SET_VMA not configured on this kernel");
		syscall(SYS_munmap, p, 3 * PAGE);
		return;
	}
	CHECK_EQ(r, 0);
	CHECK_EQ(maps_name(p, "[anon:creds-test]"), 1);
	CHECK_ERR(prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, p, PAGE, "a$b"), EINVAL);
	CHECK_ERR(prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, p, PAGE, "a[b"), EINVAL);
	CHECK_ERR(prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, p + 1, PAGE, "ok"), EINVAL);
	CHECK_ERR(prctl(PR_SET_VMA, 1, p, PAGE, "ok"), EINVAL);
	char longname[100];
	memset(longname, 'n', sizeof(longname));
	longname[80] = 0;
	CHECK_ERR(prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, p, PAGE, longname), EINVAL);
	longname[79] = 0;
	CHECK_EQ(prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, p, PAGE, longname), 0);
	CHECK_ERR(prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, p, PAGE, BAD_LOW), EFAULT);
	/* a NULL name clears it */
	CHECK_EQ(prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, p, 3 * PAGE, NULL), 0);
	CHECK_EQ(maps_name(p, "[anon:creds-test]"), 0);
	/* a hole: ENOMEM */
	CHECK_EQ(syscall(SYS_munmap, p + PAGE, PAGE), 0);
	CHECK_ERR(prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, p, 3 * PAGE, "x"), ENOMEM);
	CHECK_EQ(prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, p, 0, "x"), 0);
	syscall(SYS_munmap, p, 3 * PAGE);
}

static void rlimit_privilege(void)
{
	struct rlimit orig, r, old;
	CHECK_EQ(syscall(SYS_getrlimit, RLIMIT_CORE, &orig), 0);
	/* Linux reads the new limit before it looks at the resource */
	CHECK_ERR(syscall(SYS_setrlimit, 1000, BAD_NULL), EFAULT);
	CHECK_ERR(syscall(SYS_prlimit64, 0, 1000, BAD_LOW, NULL), EFAULT);
	CHECK_ERR(syscall(SYS_prlimit64, 0x7ffffff0, RLIMIT_CORE, BAD_LOW, NULL), EFAULT);
	CHECK_ERR(syscall(SYS_prlimit64, 0, 1000, NULL, &old), EINVAL);
	CHECK_ERR(syscall(SYS_getrlimit, 1000, BAD_NULL), EINVAL);
	CHECK_EQ(syscall(SYS_prlimit64, syscall(SYS_gettid), RLIMIT_CORE, NULL, &old), 0);
	CHECK(old.rlim_cur == orig.rlim_cur && old.rlim_max == orig.rlim_max);
	/* lower the hard limit, then raising it needs CAP_SYS_RESOURCE */
	r.rlim_cur = 0;
	r.rlim_max = orig.rlim_max == RLIM_INFINITY ? 1 << 20 : orig.rlim_max / 2;
	CHECK_EQ(syscall(SYS_setrlimit, RLIMIT_CORE, &r), 0);
	struct rlimit up = {0, r.rlim_max + 4096};
	int had = has_eff(CAP_SYS_RESOURCE);
	if (had)
		CHECK_EQ(eff(CAP_SYS_RESOURCE, 0), 0);
	CHECK_ERR(syscall(SYS_setrlimit, RLIMIT_CORE, &up), EPERM);
	CHECK_ERR(syscall(SYS_prlimit64, 0, RLIMIT_CORE, &up, &old), EPERM);
	CHECK_EQ(syscall(SYS_getrlimit, RLIMIT_CORE, &old), 0);
	CHECK_EQ(old.rlim_max, r.rlim_max);
	if (had) {
		CHECK_EQ(eff(CAP_SYS_RESOURCE, 1), 0);
		CHECK_EQ(syscall(SYS_setrlimit, RLIMIT_CORE, &orig), 0);
		CHECK_EQ(syscall(SYS_getrlimit, RLIMIT_CORE, &old), 0);
		CHECK(old.rlim_max == orig.rlim_max);
	}
	/* RLIMIT_NOFILE's hard limit is capped by fs.nr_open even with the capability */
	struct rlimit nf;
	CHECK_EQ(syscall(SYS_getrlimit, RLIMIT_NOFILE, &nf), 0);
	struct rlimit huge = {nf.rlim_cur, 1UL << 40};
	CHECK_ERR(syscall(SYS_setrlimit, RLIMIT_NOFILE, &huge), EPERM);
	/* a failed prlimit64 writes nothing */
	memset(&old, 0x5a, sizeof(old));
	struct rlimit inv = {10, 5};
	CHECK_ERR(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &inv, &old), EINVAL);
	CHECK_EQ(old.rlim_cur, 0x5a5a5a5a5a5a5a5aULL);
}

/* Last: every uid nonzero without SECBIT_KEEP_CAPS drops all privilege for good. */
static void drop_all_privileges(void)
{
	/* version 1 capset keeps only the low 32 capabilities */
	struct __user_cap_header_struct h1 = {_LINUX_CAPABILITY_VERSION_1, 0};
	struct __user_cap_data_struct d1[2];
	CHECK_EQ(syscall(SYS_capget, &h1, d1), 0);
	CHECK_EQ(syscall(SYS_capset, &h1, d1), 0);
	CHECK_OK(rcapget(cd));
	CHECK_EQ(cd[1].permitted, 0);
	CHECK_EQ(cd[0].permitted, d1[0].permitted);
	CHECK_EQ(prctl(PR_SET_DUMPABLE, 1, 0, 0, 0), 0);
	CHECK_EQ(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0), 0);
	CHECK_EQ(rsetresgid(1000, 1000, 1000), 0);
	CHECK_EQ(rsetresuid(1000, 1000, 1000), 0);
	CHECK(resuid_is(1000, 1000, 1000));
	CHECK_OK(rcapget(cd));
	CHECK_EQ(cd[0].permitted, 0);
	CHECK_EQ(cd[0].effective, 0);
	CHECK_EQ(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
	CHECK_ERR(syscall(SYS_setuid, 0), EPERM);
	CHECK_ERR(rsetresuid(-1, 0, -1), EPERM);
	CHECK_ERR(rsetresgid(-1, 0, -1), EPERM);
	CHECK_EQ(rsetfsuid(0), 1000);
	CHECK_EQ(rsetfsuid(-1), 1000);
	CHECK_ERR(syscall(SYS_setgroups, 0, NULL), EPERM);
	CHECK_ERR(prctl(PR_CAPBSET_DROP, CAP_CHOWN, 0, 0, 0), EPERM);
	CHECK_EQ(prctl(PR_CAPBSET_READ, CAP_CHOWN, 0, 0, 0), 1);
	cd[0].effective = 1u << CAP_SETUID;
	CHECK_ERR(rcapset(cd), EPERM);
	cd[0].effective = 0;
	cd[0].permitted = 1u << CAP_SETUID;
	CHECK_ERR(rcapset(cd), EPERM);
	/* unprivileged setresuid still shuffles the current ids */
	CHECK_EQ(rsetresuid(-1, -1, 1000), 0);
	CHECK_EQ(syscall(SYS_setuid, 1000), 0);
}

int main(void)
{
	if (geteuid() != 0) {
		say("# creds: needs root");
		return 1;
	}
	RUN(ids_initial);
	RUN(setresuid_euid_caps);
	restore_root();
	RUN(setresuid_unprivileged);
	restore_root();
	RUN(setuid_rules);
	restore_root();
	RUN(setreuid_rules);
	restore_root();
	RUN(setfsuid_caps);
	restore_root();
	RUN(setgid_family);
	restore_root();
	RUN(groups_rules);
	restore_root();
	RUN(capget_versions);
	RUN(capset_rules);
	restore_root();
	RUN(capbset);
	restore_root();
	RUN(ambient);
	restore_root();
	RUN(keepcaps);
	restore_root();
	RUN(pdeathsig);
	restore_root();
	RUN(dumpable);
	restore_root();
	RUN(prctl_name);
	RUN(prctl_misc);
	RUN(prctl_set_mm);
	restore_root();
	RUN(prctl_set_vma);
	RUN(rlimit_privilege);
	restore_root();
	RUN(securebits);
	restore_root();
	RUN(no_new_privs);
	restore_root();
	RUN(drop_all_privileges);
	DONE();
}
