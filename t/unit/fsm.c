/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of the state machine: every (state, event), boundaries, boot limit. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "se3ipxe.h"
#include "extern.h"
#include "tap.h"

struct vec {
	const char	*name;
	enum sip_state	 state;
	enum sip_completion completion;
	int		 boots, max_boots;
	int64_t		 start_at, expires_at, now;
	enum sip_event	 ev;
	enum sip_state	 want_state;
	int		 want_boots;
	enum sip_answer	 want;
	const char	*want_trans;	/* callback lines, ", "-joined */
};

/* What the transition callback saw, in the history line format. */
struct seen {
	char		 trans[256];
	int		 bad;		/* called before the change */
};

static void	record(void *, const struct sip_action *, enum sip_state,
		    enum sip_state, enum sip_event);
static void	count_calls(void *, const struct sip_action *,
		    enum sip_state, enum sip_state, enum sip_event);
static void	action_init(struct sip_action *, enum sip_state,
		    enum sip_completion, int, int, int64_t, int64_t);
static void	test_vectors(void);
static void	test_names(void);
static void	test_change_state(void);
static int	boots_served(enum sip_state, enum sip_completion, int, int,
		    int);
static void	test_boot_limit(void);
static void	test_sequences(void);

#define ONE	SIP_COMPLETE_ONESHOT
#define REP	SIP_COMPLETE_REPORT
#define PER	SIP_COMPLETE_PERSISTENT

/*
 * Unless a row says otherwise: started at 100, expires at 1000, now 500,
 * so no time event fires.  Scheduled rows start at 600.
 */
static const struct vec vecs[] = {
	/* scheduled */
	{ "scheduled + boot before start",
	    SIP_ST_SCHEDULED, REP, 0, 3, 600, 1000, 500, SIP_EV_BOOT,
	    SIP_ST_SCHEDULED, 0, SIP_ANSWER_DEFAULT, "" },
	{ "scheduled + running",
	    SIP_ST_SCHEDULED, REP, 0, 3, 600, 1000, 500, SIP_EV_RUNNING,
	    SIP_ST_SCHEDULED, 0, SIP_ANSWER_REFUSE, "" },
	{ "scheduled + done",
	    SIP_ST_SCHEDULED, REP, 0, 3, 600, 1000, 500, SIP_EV_DONE,
	    SIP_ST_SCHEDULED, 0, SIP_ANSWER_REFUSE, "" },
	{ "scheduled + failed",
	    SIP_ST_SCHEDULED, REP, 0, 3, 600, 1000, 500, SIP_EV_FAILED,
	    SIP_ST_SCHEDULED, 0, SIP_ANSWER_REFUSE, "" },
	{ "scheduled + cancel",
	    SIP_ST_SCHEDULED, REP, 0, 3, 600, 1000, 500, SIP_EV_CANCEL,
	    SIP_ST_CANCELLED, 0, SIP_ANSWER_ACCEPT,
	    "scheduled -> cancelled (cancel)" },
	{ "scheduled + tick before start",
	    SIP_ST_SCHEDULED, REP, 0, 3, 600, 1000, 500, SIP_EV_TICK,
	    SIP_ST_SCHEDULED, 0, SIP_ANSWER_ACCEPT, "" },
	{ "scheduled + boot at start_at - 1",
	    SIP_ST_SCHEDULED, REP, 0, 3, 600, 1000, 599, SIP_EV_BOOT,
	    SIP_ST_SCHEDULED, 0, SIP_ANSWER_DEFAULT, "" },
	{ "scheduled + boot at start_at is served",
	    SIP_ST_SCHEDULED, REP, 0, 3, 600, 1000, 600, SIP_EV_BOOT,
	    SIP_ST_BOOTING, 1, SIP_ANSWER_ACTION,
	    "scheduled -> pending (tick), pending -> booting (boot)" },
	{ "scheduled oneshot + boot at start_at is done",
	    SIP_ST_SCHEDULED, ONE, 0, 3, 600, 1000, 600, SIP_EV_BOOT,
	    SIP_ST_DONE, 1, SIP_ANSWER_ACTION,
	    "scheduled -> pending (tick), pending -> done (boot)" },
	{ "scheduled + tick at start_at",
	    SIP_ST_SCHEDULED, REP, 0, 3, 600, 1000, 600, SIP_EV_TICK,
	    SIP_ST_PENDING, 0, SIP_ANSWER_ACCEPT,
	    "scheduled -> pending (tick)" },
	{ "scheduled + report at start_at: pending, refused",
	    SIP_ST_SCHEDULED, REP, 0, 3, 600, 1000, 600, SIP_EV_DONE,
	    SIP_ST_PENDING, 0, SIP_ANSWER_REFUSE,
	    "scheduled -> pending (tick)" },
	{ "scheduled + cancel at start_at",
	    SIP_ST_SCHEDULED, REP, 0, 3, 600, 1000, 600, SIP_EV_CANCEL,
	    SIP_ST_CANCELLED, 0, SIP_ANSWER_ACCEPT,
	    "scheduled -> pending (tick), pending -> cancelled (cancel)" },
	{ "scheduled + boot past start and expiry",
	    SIP_ST_SCHEDULED, REP, 0, 3, 600, 1000, 1000, SIP_EV_BOOT,
	    SIP_ST_EXPIRED, 0, SIP_ANSWER_DEFAULT,
	    "scheduled -> pending (tick), pending -> expired (tick)" },
	{ "scheduled + cancel past expiry is refused",
	    SIP_ST_SCHEDULED, REP, 0, 3, 600, 1000, 1000, SIP_EV_CANCEL,
	    SIP_ST_EXPIRED, 0, SIP_ANSWER_REFUSE,
	    "scheduled -> pending (tick), pending -> expired (tick)" },

	/* pending */
	{ "pending report + boot",
	    SIP_ST_PENDING, REP, 0, 3, 100, 1000, 500, SIP_EV_BOOT,
	    SIP_ST_BOOTING, 1, SIP_ANSWER_ACTION,
	    "pending -> booting (boot)" },
	{ "pending oneshot + boot",
	    SIP_ST_PENDING, ONE, 0, 3, 100, 1000, 500, SIP_EV_BOOT,
	    SIP_ST_DONE, 1, SIP_ANSWER_ACTION, "pending -> done (boot)" },
	{ "pending + running",
	    SIP_ST_PENDING, REP, 0, 3, 100, 1000, 500, SIP_EV_RUNNING,
	    SIP_ST_PENDING, 0, SIP_ANSWER_REFUSE, "" },
	{ "pending + done",
	    SIP_ST_PENDING, REP, 0, 3, 100, 1000, 500, SIP_EV_DONE,
	    SIP_ST_PENDING, 0, SIP_ANSWER_REFUSE, "" },
	{ "pending + failed",
	    SIP_ST_PENDING, REP, 0, 3, 100, 1000, 500, SIP_EV_FAILED,
	    SIP_ST_PENDING, 0, SIP_ANSWER_REFUSE, "" },
	{ "pending + cancel",
	    SIP_ST_PENDING, REP, 0, 3, 100, 1000, 500, SIP_EV_CANCEL,
	    SIP_ST_CANCELLED, 0, SIP_ANSWER_ACCEPT,
	    "pending -> cancelled (cancel)" },
	{ "pending + tick",
	    SIP_ST_PENDING, REP, 0, 3, 100, 1000, 500, SIP_EV_TICK,
	    SIP_ST_PENDING, 0, SIP_ANSWER_ACCEPT, "" },
	{ "pending + boot at expires_at - 1",
	    SIP_ST_PENDING, REP, 0, 3, 100, 1000, 999, SIP_EV_BOOT,
	    SIP_ST_BOOTING, 1, SIP_ANSWER_ACTION,
	    "pending -> booting (boot)" },
	{ "pending + boot at expires_at",
	    SIP_ST_PENDING, REP, 0, 3, 100, 1000, 1000, SIP_EV_BOOT,
	    SIP_ST_EXPIRED, 0, SIP_ANSWER_DEFAULT,
	    "pending -> expired (tick)" },
	{ "pending + tick at expires_at",
	    SIP_ST_PENDING, REP, 0, 3, 100, 1000, 1000, SIP_EV_TICK,
	    SIP_ST_EXPIRED, 0, SIP_ANSWER_ACCEPT,
	    "pending -> expired (tick)" },
	{ "pending + boot, expires_at 0 never expires",
	    SIP_ST_PENDING, REP, 0, 3, 100, 0, 4000000000LL, SIP_EV_BOOT,
	    SIP_ST_BOOTING, 1, SIP_ANSWER_ACTION,
	    "pending -> booting (boot)" },
	/* A sum that wrapped (written before times were bounded): expired, never "never". */
	{ "pending + boot, expires_at negative (wrapped) expires",
	    SIP_ST_PENDING, REP, 0, 3, 100, INT64_MIN + 14399, 500, SIP_EV_BOOT,
	    SIP_ST_EXPIRED, 0, SIP_ANSWER_DEFAULT,
	    "pending -> expired (tick)" },
	{ "scheduled + tick, expires_at negative (wrapped) expires at its start",
	    SIP_ST_SCHEDULED, REP, 0, 3, INT64_C(9223372036854775000),
	    INT64_MIN + 14399, 500, SIP_EV_TICK,
	    SIP_ST_EXPIRED, 0, SIP_ANSWER_ACCEPT,
	    "scheduled -> expired (tick)" },
	{ "pending max_boots 0 counts as 1",
	    SIP_ST_PENDING, REP, 0, 0, 100, 1000, 500, SIP_EV_BOOT,
	    SIP_ST_BOOTING, 1, SIP_ANSWER_ACTION,
	    "pending -> booting (boot)" },

	/* booting */
	{ "booting + boot",
	    SIP_ST_BOOTING, REP, 1, 3, 100, 1000, 500, SIP_EV_BOOT,
	    SIP_ST_BOOTING, 2, SIP_ANSWER_ACTION, "" },
	{ "booting + running",
	    SIP_ST_BOOTING, REP, 1, 3, 100, 1000, 500, SIP_EV_RUNNING,
	    SIP_ST_RUNNING, 1, SIP_ANSWER_ACCEPT,
	    "booting -> running (running)" },
	{ "booting + done",
	    SIP_ST_BOOTING, REP, 1, 3, 100, 1000, 500, SIP_EV_DONE,
	    SIP_ST_DONE, 1, SIP_ANSWER_ACCEPT, "booting -> done (done)" },
	{ "booting + failed",
	    SIP_ST_BOOTING, REP, 1, 3, 100, 1000, 500, SIP_EV_FAILED,
	    SIP_ST_FAILED, 1, SIP_ANSWER_ACCEPT, "booting -> failed (failed)" },
	{ "booting + cancel",
	    SIP_ST_BOOTING, REP, 1, 3, 100, 1000, 500, SIP_EV_CANCEL,
	    SIP_ST_CANCELLED, 1, SIP_ANSWER_ACCEPT,
	    "booting -> cancelled (cancel)" },
	{ "booting + tick",
	    SIP_ST_BOOTING, REP, 1, 3, 100, 1000, 500, SIP_EV_TICK,
	    SIP_ST_BOOTING, 1, SIP_ANSWER_ACCEPT, "" },
	{ "booting + boot at boots == max_boots - 1",
	    SIP_ST_BOOTING, REP, 2, 3, 100, 1000, 500, SIP_EV_BOOT,
	    SIP_ST_BOOTING, 3, SIP_ANSWER_ACTION, "" },
	{ "booting + boot at boots == max_boots",
	    SIP_ST_BOOTING, REP, 3, 3, 100, 1000, 500, SIP_EV_BOOT,
	    SIP_ST_FAILED, 3, SIP_ANSWER_DEFAULT, "booting -> failed (boot)" },
	{ "booting + boot over max_boots (corrupt row)",
	    SIP_ST_BOOTING, REP, 9, 3, 100, 1000, 500, SIP_EV_BOOT,
	    SIP_ST_FAILED, 9, SIP_ANSWER_DEFAULT, "booting -> failed (boot)" },
	{ "booting + boot, max_boots 1",
	    SIP_ST_BOOTING, REP, 1, 1, 100, 1000, 500, SIP_EV_BOOT,
	    SIP_ST_FAILED, 1, SIP_ANSWER_DEFAULT, "booting -> failed (boot)" },
	{ "booting + boot, max_boots 0 counts as 1",
	    SIP_ST_BOOTING, REP, 1, 0, 100, 1000, 500, SIP_EV_BOOT,
	    SIP_ST_FAILED, 1, SIP_ANSWER_DEFAULT, "booting -> failed (boot)" },
	{ "booting + boot, boots 0, max_boots 0 counts as 1: one serving",
	    SIP_ST_BOOTING, REP, 0, 0, 100, 1000, 500, SIP_EV_BOOT,
	    SIP_ST_BOOTING, 1, SIP_ANSWER_ACTION, "" },
	{ "booting + boot, max_boots -2 counts as 1",
	    SIP_ST_BOOTING, REP, 1, -2, 100, 1000, 500, SIP_EV_BOOT,
	    SIP_ST_FAILED, 1, SIP_ANSWER_DEFAULT, "booting -> failed (boot)" },
	{ "booting + boot at expires_at - 1",
	    SIP_ST_BOOTING, REP, 1, 3, 100, 1000, 999, SIP_EV_BOOT,
	    SIP_ST_BOOTING, 2, SIP_ANSWER_ACTION, "" },
	{ "booting + boot at expires_at",
	    SIP_ST_BOOTING, REP, 1, 3, 100, 1000, 1000, SIP_EV_BOOT,
	    SIP_ST_EXPIRED, 1, SIP_ANSWER_DEFAULT,
	    "booting -> expired (tick)" },
	{ "booting + cancel at expires_at",
	    SIP_ST_BOOTING, REP, 1, 3, 100, 1000, 1000, SIP_EV_CANCEL,
	    SIP_ST_EXPIRED, 1, SIP_ANSWER_REFUSE,
	    "booting -> expired (tick)" },
	{ "booting + tick long after expires_at",
	    SIP_ST_BOOTING, REP, 1, 3, 100, 1000, 2000, SIP_EV_TICK,
	    SIP_ST_EXPIRED, 1, SIP_ANSWER_ACCEPT,
	    "booting -> expired (tick)" },

	/* running */
	{ "running + boot",
	    SIP_ST_RUNNING, REP, 1, 3, 100, 1000, 500, SIP_EV_BOOT,
	    SIP_ST_RUNNING, 2, SIP_ANSWER_ACTION, "" },
	{ "running + running (progress only)",
	    SIP_ST_RUNNING, REP, 1, 3, 100, 1000, 500, SIP_EV_RUNNING,
	    SIP_ST_RUNNING, 1, SIP_ANSWER_ACCEPT, "" },
	{ "running + done",
	    SIP_ST_RUNNING, REP, 1, 3, 100, 1000, 500, SIP_EV_DONE,
	    SIP_ST_DONE, 1, SIP_ANSWER_ACCEPT, "running -> done (done)" },
	{ "running + failed",
	    SIP_ST_RUNNING, REP, 1, 3, 100, 1000, 500, SIP_EV_FAILED,
	    SIP_ST_FAILED, 1, SIP_ANSWER_ACCEPT, "running -> failed (failed)" },
	{ "running + cancel",
	    SIP_ST_RUNNING, REP, 1, 3, 100, 1000, 500, SIP_EV_CANCEL,
	    SIP_ST_CANCELLED, 1, SIP_ANSWER_ACCEPT,
	    "running -> cancelled (cancel)" },
	{ "running + tick",
	    SIP_ST_RUNNING, REP, 1, 3, 100, 1000, 500, SIP_EV_TICK,
	    SIP_ST_RUNNING, 1, SIP_ANSWER_ACCEPT, "" },
	{ "running + boot at boots == max_boots - 1",
	    SIP_ST_RUNNING, REP, 2, 3, 100, 1000, 500, SIP_EV_BOOT,
	    SIP_ST_RUNNING, 3, SIP_ANSWER_ACTION, "" },
	{ "running + boot at boots == max_boots",
	    SIP_ST_RUNNING, REP, 3, 3, 100, 1000, 500, SIP_EV_BOOT,
	    SIP_ST_FAILED, 3, SIP_ANSWER_DEFAULT, "running -> failed (boot)" },
	{ "running + done at expires_at - 1",
	    SIP_ST_RUNNING, REP, 1, 3, 100, 1000, 999, SIP_EV_DONE,
	    SIP_ST_DONE, 1, SIP_ANSWER_ACCEPT, "running -> done (done)" },
	{ "running + done at expires_at",
	    SIP_ST_RUNNING, REP, 1, 3, 100, 1000, 1000, SIP_EV_DONE,
	    SIP_ST_EXPIRED, 1, SIP_ANSWER_REFUSE,
	    "running -> expired (tick)" },
	{ "running + running at expires_at",
	    SIP_ST_RUNNING, REP, 1, 3, 100, 1000, 1000, SIP_EV_RUNNING,
	    SIP_ST_EXPIRED, 1, SIP_ANSWER_REFUSE,
	    "running -> expired (tick)" },

	/* done */
	{ "done + boot",
	    SIP_ST_DONE, REP, 1, 3, 100, 1000, 500, SIP_EV_BOOT,
	    SIP_ST_DONE, 1, SIP_ANSWER_DEFAULT, "" },
	{ "done + running",
	    SIP_ST_DONE, REP, 1, 3, 100, 1000, 500, SIP_EV_RUNNING,
	    SIP_ST_DONE, 1, SIP_ANSWER_REFUSE, "" },
	{ "done + done (replay)",
	    SIP_ST_DONE, REP, 1, 3, 100, 1000, 500, SIP_EV_DONE,
	    SIP_ST_DONE, 1, SIP_ANSWER_REFUSE, "" },
	{ "done + failed",
	    SIP_ST_DONE, REP, 1, 3, 100, 1000, 500, SIP_EV_FAILED,
	    SIP_ST_DONE, 1, SIP_ANSWER_REFUSE, "" },
	{ "done + cancel",
	    SIP_ST_DONE, REP, 1, 3, 100, 1000, 500, SIP_EV_CANCEL,
	    SIP_ST_DONE, 1, SIP_ANSWER_REFUSE, "" },
	{ "done + tick",
	    SIP_ST_DONE, REP, 1, 3, 100, 1000, 500, SIP_EV_TICK,
	    SIP_ST_DONE, 1, SIP_ANSWER_ACCEPT, "" },
	{ "done + boot after expires_at: no expiry of a finished action",
	    SIP_ST_DONE, REP, 1, 3, 100, 1000, 2000, SIP_EV_BOOT,
	    SIP_ST_DONE, 1, SIP_ANSWER_DEFAULT, "" },

	/* failed */
	{ "failed + boot",
	    SIP_ST_FAILED, REP, 3, 3, 100, 1000, 500, SIP_EV_BOOT,
	    SIP_ST_FAILED, 3, SIP_ANSWER_DEFAULT, "" },
	{ "failed + running",
	    SIP_ST_FAILED, REP, 3, 3, 100, 1000, 500, SIP_EV_RUNNING,
	    SIP_ST_FAILED, 3, SIP_ANSWER_REFUSE, "" },
	{ "failed + done",
	    SIP_ST_FAILED, REP, 3, 3, 100, 1000, 500, SIP_EV_DONE,
	    SIP_ST_FAILED, 3, SIP_ANSWER_REFUSE, "" },
	{ "failed + failed",
	    SIP_ST_FAILED, REP, 3, 3, 100, 1000, 500, SIP_EV_FAILED,
	    SIP_ST_FAILED, 3, SIP_ANSWER_REFUSE, "" },
	{ "failed + cancel",
	    SIP_ST_FAILED, REP, 3, 3, 100, 1000, 500, SIP_EV_CANCEL,
	    SIP_ST_FAILED, 3, SIP_ANSWER_REFUSE, "" },
	{ "failed + tick",
	    SIP_ST_FAILED, REP, 3, 3, 100, 1000, 500, SIP_EV_TICK,
	    SIP_ST_FAILED, 3, SIP_ANSWER_ACCEPT, "" },

	/* expired */
	{ "expired + boot",
	    SIP_ST_EXPIRED, REP, 1, 3, 100, 1000, 2000, SIP_EV_BOOT,
	    SIP_ST_EXPIRED, 1, SIP_ANSWER_DEFAULT, "" },
	{ "expired + running",
	    SIP_ST_EXPIRED, REP, 1, 3, 100, 1000, 2000, SIP_EV_RUNNING,
	    SIP_ST_EXPIRED, 1, SIP_ANSWER_REFUSE, "" },
	{ "expired + done",
	    SIP_ST_EXPIRED, REP, 1, 3, 100, 1000, 2000, SIP_EV_DONE,
	    SIP_ST_EXPIRED, 1, SIP_ANSWER_REFUSE, "" },
	{ "expired + failed",
	    SIP_ST_EXPIRED, REP, 1, 3, 100, 1000, 2000, SIP_EV_FAILED,
	    SIP_ST_EXPIRED, 1, SIP_ANSWER_REFUSE, "" },
	{ "expired + cancel",
	    SIP_ST_EXPIRED, REP, 1, 3, 100, 1000, 2000, SIP_EV_CANCEL,
	    SIP_ST_EXPIRED, 1, SIP_ANSWER_REFUSE, "" },
	{ "expired + tick",
	    SIP_ST_EXPIRED, REP, 1, 3, 100, 1000, 2000, SIP_EV_TICK,
	    SIP_ST_EXPIRED, 1, SIP_ANSWER_ACCEPT, "" },

	/* cancelled */
	{ "cancelled + boot",
	    SIP_ST_CANCELLED, REP, 0, 3, 100, 1000, 500, SIP_EV_BOOT,
	    SIP_ST_CANCELLED, 0, SIP_ANSWER_DEFAULT, "" },
	{ "cancelled + running",
	    SIP_ST_CANCELLED, REP, 0, 3, 100, 1000, 500, SIP_EV_RUNNING,
	    SIP_ST_CANCELLED, 0, SIP_ANSWER_REFUSE, "" },
	{ "cancelled + done",
	    SIP_ST_CANCELLED, REP, 0, 3, 100, 1000, 500, SIP_EV_DONE,
	    SIP_ST_CANCELLED, 0, SIP_ANSWER_REFUSE, "" },
	{ "cancelled + failed",
	    SIP_ST_CANCELLED, REP, 0, 3, 100, 1000, 500, SIP_EV_FAILED,
	    SIP_ST_CANCELLED, 0, SIP_ANSWER_REFUSE, "" },
	{ "cancelled + cancel",
	    SIP_ST_CANCELLED, REP, 0, 3, 100, 1000, 500, SIP_EV_CANCEL,
	    SIP_ST_CANCELLED, 0, SIP_ANSWER_REFUSE, "" },
	{ "cancelled + tick",
	    SIP_ST_CANCELLED, REP, 0, 3, 100, 1000, 500, SIP_EV_TICK,
	    SIP_ST_CANCELLED, 0, SIP_ANSWER_ACCEPT, "" },
	/*
	 * persistent: served at every boot while active, its boots counted;
	 * a boot or a "done" puts it back to booting (the next boot, the next
	 * session); it ends by cancel, expiry, its last boot (expired: a bound
	 * reached, no fault) or "failed".
	 */
	{ "scheduled persistent + boot at start_at is served",
	    SIP_ST_SCHEDULED, PER, 0, 3, 600, 1000, 600, SIP_EV_BOOT,
	    SIP_ST_BOOTING, 1, SIP_ANSWER_ACTION,
	    "scheduled -> pending (tick), pending -> booting (boot)" },
	{ "pending persistent + boot",
	    SIP_ST_PENDING, PER, 0, 3, 100, 1000, 500, SIP_EV_BOOT,
	    SIP_ST_BOOTING, 1, SIP_ANSWER_ACTION,
	    "pending -> booting (boot)" },
	{ "pending persistent + done: never served, refused",
	    SIP_ST_PENDING, PER, 0, 3, 100, 1000, 500, SIP_EV_DONE,
	    SIP_ST_PENDING, 0, SIP_ANSWER_REFUSE, "" },
	{ "booting persistent + boot",
	    SIP_ST_BOOTING, PER, 1, 3, 100, 1000, 500, SIP_EV_BOOT,
	    SIP_ST_BOOTING, 2, SIP_ANSWER_ACTION, "" },
	{ "booting persistent + running",
	    SIP_ST_BOOTING, PER, 1, 3, 100, 1000, 500, SIP_EV_RUNNING,
	    SIP_ST_RUNNING, 1, SIP_ANSWER_ACCEPT,
	    "booting -> running (running)" },
	{ "booting persistent + done: accepted, stays",
	    SIP_ST_BOOTING, PER, 1, 3, 100, 1000, 500, SIP_EV_DONE,
	    SIP_ST_BOOTING, 1, SIP_ANSWER_ACCEPT, "" },
	{ "booting persistent + failed ends it",
	    SIP_ST_BOOTING, PER, 1, 3, 100, 1000, 500, SIP_EV_FAILED,
	    SIP_ST_FAILED, 1, SIP_ANSWER_ACCEPT, "booting -> failed (failed)" },
	{ "booting persistent + cancel",
	    SIP_ST_BOOTING, PER, 1, 3, 100, 1000, 500, SIP_EV_CANCEL,
	    SIP_ST_CANCELLED, 1, SIP_ANSWER_ACCEPT,
	    "booting -> cancelled (cancel)" },
	{ "booting persistent + tick",
	    SIP_ST_BOOTING, PER, 1, 3, 100, 1000, 500, SIP_EV_TICK,
	    SIP_ST_BOOTING, 1, SIP_ANSWER_ACCEPT, "" },
	{ "booting persistent + boot at boots == max_boots - 1",
	    SIP_ST_BOOTING, PER, 2, 3, 100, 1000, 500, SIP_EV_BOOT,
	    SIP_ST_BOOTING, 3, SIP_ANSWER_ACTION, "" },
	{ "booting persistent + boot at boots == max_boots: expired, no fault",
	    SIP_ST_BOOTING, PER, 3, 3, 100, 1000, 500, SIP_EV_BOOT,
	    SIP_ST_EXPIRED, 3, SIP_ANSWER_DEFAULT,
	    "booting -> expired (boot)" },
	{ "booting persistent + boot, max_boots 0 counts as 1",
	    SIP_ST_BOOTING, PER, 1, 0, 100, 1000, 500, SIP_EV_BOOT,
	    SIP_ST_EXPIRED, 1, SIP_ANSWER_DEFAULT,
	    "booting -> expired (boot)" },
	{ "booting persistent + boot at 999 of 1000",
	    SIP_ST_BOOTING, PER, 999, 1000, 100, 1000, 500, SIP_EV_BOOT,
	    SIP_ST_BOOTING, 1000, SIP_ANSWER_ACTION, "" },
	{ "booting persistent + boot at expires_at",
	    SIP_ST_BOOTING, PER, 1, 3, 100, 1000, 1000, SIP_EV_BOOT,
	    SIP_ST_EXPIRED, 1, SIP_ANSWER_DEFAULT,
	    "booting -> expired (tick)" },
	{ "booting persistent + tick at expires_at",
	    SIP_ST_BOOTING, PER, 1, 3, 100, 1000, 1000, SIP_EV_TICK,
	    SIP_ST_EXPIRED, 1, SIP_ANSWER_ACCEPT,
	    "booting -> expired (tick)" },
	{ "running persistent + boot: booting again",
	    SIP_ST_RUNNING, PER, 1, 3, 100, 1000, 500, SIP_EV_BOOT,
	    SIP_ST_BOOTING, 2, SIP_ANSWER_ACTION,
	    "running -> booting (boot)" },
	{ "running persistent + running (progress only)",
	    SIP_ST_RUNNING, PER, 1, 3, 100, 1000, 500, SIP_EV_RUNNING,
	    SIP_ST_RUNNING, 1, SIP_ANSWER_ACCEPT, "" },
	{ "running persistent + done: back to booting, still active",
	    SIP_ST_RUNNING, PER, 1, 3, 100, 1000, 500, SIP_EV_DONE,
	    SIP_ST_BOOTING, 1, SIP_ANSWER_ACCEPT,
	    "running -> booting (done)" },
	{ "running persistent + failed ends it",
	    SIP_ST_RUNNING, PER, 1, 3, 100, 1000, 500, SIP_EV_FAILED,
	    SIP_ST_FAILED, 1, SIP_ANSWER_ACCEPT, "running -> failed (failed)" },
	{ "running persistent + cancel",
	    SIP_ST_RUNNING, PER, 1, 3, 100, 1000, 500, SIP_EV_CANCEL,
	    SIP_ST_CANCELLED, 1, SIP_ANSWER_ACCEPT,
	    "running -> cancelled (cancel)" },
	{ "running persistent + boot at boots == max_boots: expired",
	    SIP_ST_RUNNING, PER, 3, 3, 100, 1000, 500, SIP_EV_BOOT,
	    SIP_ST_EXPIRED, 3, SIP_ANSWER_DEFAULT,
	    "running -> expired (boot)" },
	{ "running persistent + done at expires_at",
	    SIP_ST_RUNNING, PER, 1, 3, 100, 1000, 1000, SIP_EV_DONE,
	    SIP_ST_EXPIRED, 1, SIP_ANSWER_REFUSE,
	    "running -> expired (tick)" },
	{ "expired persistent + boot",
	    SIP_ST_EXPIRED, PER, 1, 3, 100, 1000, 2000, SIP_EV_BOOT,
	    SIP_ST_EXPIRED, 1, SIP_ANSWER_DEFAULT, "" },
	{ "cancelled persistent + boot",
	    SIP_ST_CANCELLED, PER, 1, 3, 100, 1000, 500, SIP_EV_BOOT,
	    SIP_ST_CANCELLED, 1, SIP_ANSWER_DEFAULT, "" },
	{ "failed persistent + boot",
	    SIP_ST_FAILED, PER, 1, 3, 100, 1000, 500, SIP_EV_BOOT,
	    SIP_ST_FAILED, 1, SIP_ANSWER_DEFAULT, "" },
	{ "expired persistent + done",
	    SIP_ST_EXPIRED, PER, 1, 3, 100, 1000, 2000, SIP_EV_DONE,
	    SIP_ST_EXPIRED, 1, SIP_ANSWER_REFUSE, "" },
};

static void
record(void *arg, const struct sip_action *act, enum sip_state old,
    enum sip_state new, enum sip_event ev)
{
	struct seen *s = arg;
	size_t len = strlen(s->trans);

	/* sip_change_state promises the new state is in place first. */
	if (act->state != new)
		s->bad = 1;
	snprintf(s->trans + len, sizeof(s->trans) - len, "%s%s -> %s (%s)",
	    len > 0 ? ", " : "", sip_state_name(old), sip_state_name(new),
	    sip_event_name(ev));
}

static void
count_calls(void *arg, const struct sip_action *act, enum sip_state old,
    enum sip_state new, enum sip_event ev)
{
	(*(int *)arg)++;
}

static void
action_init(struct sip_action *act, enum sip_state state,
    enum sip_completion completion, int boots, int max_boots,
    int64_t start_at, int64_t expires_at)
{
	memset(act, 0, sizeof(*act));
	act->id = 7;
	strcpy(act->mac, "52:54:00:12:34:56");
	strcpy(act->name, "test:install");
	strcpy(act->token, "0123456789abcdef0123456789abcdef");
	act->state = state;
	act->completion = completion;
	act->boots = boots;
	act->max_boots = max_boots;
	act->created_at = 50;
	act->start_at = start_at;
	act->expires_at = expires_at;
	act->updated_at = 50;
	act->progress = 42;
}

static void
test_vectors(void)
{
	int covered[SIP_ST__MAX][SIP_EV__MAX];
	const struct vec *v;
	struct sip_action act;
	struct seen seen;
	enum sip_answer ans;
	size_t i, s, e, missing = 0;

	memset(covered, 0, sizeof(covered));
	for (i = 0; i < SIP_ARRAY_SIZE(vecs); i++) {
		v = &vecs[i];
		covered[v->state][v->ev] = 1;
		action_init(&act, v->state, v->completion, v->boots,
		    v->max_boots, v->start_at, v->expires_at);
		memset(&seen, 0, sizeof(seen));
		ans = sip_fsm_step(&act, v->ev, (time_t)v->now, record, &seen);
		is_int(ans, v->want, "%s: answer", v->name);
		is_str(sip_state_name(act.state), sip_state_name(v->want_state),
		    "%s: state", v->name);
		is_int(act.boots, v->want_boots, "%s: boots", v->name);
		is_str(seen.trans, v->want_trans, "%s: transitions", v->name);
		ok(!seen.bad && act.max_boots == v->max_boots &&
		    act.progress == 42 && act.start_at == v->start_at &&
		    act.expires_at == v->expires_at,
		    "%s: state applied before callback, nothing else touched",
		    v->name);
	}
	for (s = 0; s < SIP_ST__MAX; s++)
		for (e = 0; e < SIP_EV__MAX; e++)
			if (!covered[s][e]) {
				printf("# no vector for %s + %s\n",
				    sip_state_name((enum sip_state)s),
				    sip_event_name((enum sip_event)e));
				missing++;
			}
	is_int(missing, 0, "every (state, event) pair has a vector");
}

static void
test_names(void)
{
	static const char *const states[] = { "scheduled", "pending",
	    "booting", "running", "done", "failed", "expired", "cancelled" };
	static const char *const events[] = { "boot", "running", "done",
	    "failed", "cancel", "tick" };
	static const int active[] = { 1, 1, 1, 1, 0, 0, 0, 0 };
	enum sip_state st;
	size_t i;

	is_int(SIP_ARRAY_SIZE(states), SIP_ST__MAX, "one name per state");
	is_int(SIP_ARRAY_SIZE(events), SIP_EV__MAX, "one name per event");
	for (i = 0; i < SIP_ST__MAX; i++) {
		is_str(sip_state_name((enum sip_state)i), states[i],
		    "state %zu is called %s", i, states[i]);
		st = SIP_ST__MAX;
		ok(sip_state_parse(states[i], &st) == SIP_OK &&
		    st == (enum sip_state)i, "parse '%s'", states[i]);
		is_int(sip_state_active((enum sip_state)i), active[i],
		    "%s is %sactive", states[i], active[i] ? "" : "not ");
	}
	for (i = 0; i < SIP_EV__MAX; i++)
		is_str(sip_event_name((enum sip_event)i), events[i],
		    "event %zu is called %s", i, events[i]);
	is_str(sip_state_name(SIP_ST__MAX), "unknown", "state out of range");
	is_str(sip_event_name(SIP_EV__MAX), "unknown", "event out of range");
	is_int(sip_state_active(SIP_ST__MAX), 0, "out of range is not active");
	is_int(sip_state_parse("Pending", &st), SIP_EINVAL,
	    "parse is case-sensitive");
	is_int(sip_state_parse("", &st), SIP_EINVAL, "parse ''");
	is_int(sip_state_parse(NULL, &st), SIP_EINVAL, "parse NULL");
}

static void
test_change_state(void)
{
	struct sip_action act;
	enum sip_answer ans;
	int calls = 0;

	action_init(&act, SIP_ST_RUNNING, REP, 1, 3, 100, 1000);
	sip_change_state(&act, SIP_ST_RUNNING, SIP_EV_RUNNING, count_calls,
	    &calls);
	is_int(calls, 0, "change to the same state calls nobody");
	sip_change_state(&act, SIP_ST_DONE, SIP_EV_DONE, count_calls, &calls);
	ok(calls == 1 && act.state == SIP_ST_DONE,
	    "change to another state calls back once");
	sip_change_state(&act, SIP_ST_FAILED, SIP_EV_FAILED, NULL, NULL);
	is_int(act.state, SIP_ST_FAILED, "a NULL callback is allowed");

	/* Corrupt values must never serve the action. */
	action_init(&act, SIP_ST__MAX, REP, 0, 3, 100, 1000);
	ans = sip_fsm_step(&act, SIP_EV_BOOT, 500, NULL, NULL);
	ok(ans == SIP_ANSWER_DEFAULT && act.state == SIP_ST__MAX,
	    "unknown state + boot: default, unchanged");
	ans = sip_fsm_step(&act, SIP_EV_DONE, 500, NULL, NULL);
	is_int(ans, SIP_ANSWER_REFUSE, "unknown state + report: refused");
	action_init(&act, SIP_ST_PENDING, REP, 0, 3, 100, 1000);
	ans = sip_fsm_step(&act, SIP_EV__MAX, 500, NULL, NULL);
	ok(ans == SIP_ANSWER_REFUSE && act.state == SIP_ST_PENDING,
	    "unknown event: refused, unchanged");
}

/* How many of many BOOT events an action answers with itself. */
static int
boots_served(enum sip_state state, enum sip_completion completion, int boots,
    int max_boots, int nboot)
{
	struct sip_action act;
	int served = 0;

	action_init(&act, state, completion, boots, max_boots, 100, 0);
	while (nboot-- > 0)
		if (sip_fsm_step(&act, SIP_EV_BOOT, 500, NULL, NULL) ==
		    SIP_ANSWER_ACTION)
			served++;
	return served;
}

/*
 * However an action starts and however often the machine asks, it is
 * served at most max_boots times; a pending one exactly its allowance.
 */
static void
test_boot_limit(void)
{
	static const enum sip_state starts[] = { SIP_ST_SCHEDULED,
	    SIP_ST_PENDING, SIP_ST_BOOTING, SIP_ST_RUNNING, SIP_ST_DONE,
	    SIP_ST_FAILED, SIP_ST_EXPIRED, SIP_ST_CANCELLED };
	static const int maxes[] = { -1, 0, 1, 2, 3, 7, 50 };
	size_t s, m, runs = 0, over = 0, under = 0;
	int c, boots, limit, served, fresh;

	for (s = 0; s < SIP_ARRAY_SIZE(starts); s++) {
		fresh = starts[s] == SIP_ST_PENDING ||
		    starts[s] == SIP_ST_SCHEDULED;
		for (m = 0; m < SIP_ARRAY_SIZE(maxes); m++) {
			limit = maxes[m] > 0 ? maxes[m] : 1;
			for (c = 0; c < SIP_COMPLETE__MAX; c++) {
				for (boots = 0; boots <= limit + 1; boots++) {
					served = boots_served(starts[s],
					    (enum sip_completion)c,
					    fresh ? 0 : boots, maxes[m],
					    3 * limit + 10);
					runs++;
					if (served > limit)
						over++;
					if (fresh && served !=
					    (c == SIP_COMPLETE_ONESHOT ? 1 :
					    limit))
						under++;
				}
			}
		}
	}
	is_int(over, 0, "no BOOT sequence yields more than max_boots actions "
	    "(%zu starts)", runs);
	is_int(under, 0, "a pending action is served exactly its allowance");
}

/*
 * Every sequence of 6 events from a pending action, report or persistent:
 * reports and ticks in between never earn a machine an extra boot.
 */
static void
test_sequences(void)
{
	struct sip_action act;
	size_t seq, nseq = 1, over = 0, runs = 0;
	int len = 6, max_boots, i, served, c;
	size_t code;

	for (i = 0; i < len; i++)
		nseq *= SIP_EV__MAX;
	for (c = 0; c < 2; c++)
	for (max_boots = 1; max_boots <= 3; max_boots++)
		for (seq = 0; seq < nseq; seq++) {
			action_init(&act, SIP_ST_PENDING, c == 0 ? REP : PER,
			    0, max_boots, 100, 0);
			served = 0;
			for (code = seq, i = 0; i < len; i++) {
				if (sip_fsm_step(&act,
				    (enum sip_event)(code % SIP_EV__MAX), 500,
				    NULL, NULL) == SIP_ANSWER_ACTION)
					served++;
				code /= SIP_EV__MAX;
			}
			runs++;
			if (served > max_boots || act.boots > max_boots)
				over++;
		}
	is_int(over, 0, "no sequence of any events serves more than "
	    "max_boots (%zu sequences)", runs);
}

int
main(void)
{
	test_names();
	test_vectors();
	test_change_state();
	test_boot_limit();
	test_sequences();
	return done_testing();
}
