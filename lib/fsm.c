/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The action state machine: one step function, one place that changes state. */
#include <stdio.h>
#include <string.h>

#include "se3ipxe.h"
#include "extern.h"

static enum sip_answer	fsm_unexpected(enum sip_event);
static enum sip_answer	fsm_active_common(struct sip_action *,
			    enum sip_event, sip_transition_cb, void *);

int
sip_state_active(enum sip_state st)
{
	switch (st) {
	case SIP_ST_SCHEDULED:
	case SIP_ST_PENDING:
	case SIP_ST_BOOTING:
	case SIP_ST_RUNNING:
		return 1;
	default:
		return 0;
	}
}

const char *
sip_action_state_text(const struct sip_action *act, char *buf, size_t sz)
{
	if (act->completion == SIP_COMPLETE_PERSISTENT &&
	    sip_state_active(act->state))
		snprintf(buf, sz, "%s, persistent", sip_state_name(act->state));
	else
		snprintf(buf, sz, "%s", sip_state_name(act->state));
	return buf;
}

void
sip_change_state(struct sip_action *act, enum sip_state new,
    enum sip_event ev, sip_transition_cb cb, void *arg)
{
	enum sip_state old = act->state;

	/* Staying put is not a transition: no history line for it. */
	if (new == old)
		return;
	/* First apply the new state, then let the observer act on it. */
	act->state = new;
	if (cb != NULL)
		cb(arg, act, old, new, ev);
}

/*
 * A corrupt state or an unknown event must never serve an action: the
 * machine boots its default and a report is refused.
 */
static enum sip_answer
fsm_unexpected(enum sip_event ev)
{
	return ev == SIP_EV_BOOT ? SIP_ANSWER_DEFAULT : SIP_ANSWER_REFUSE;
}

/*
 * The events every active state answers alike, so that they cannot
 * drift apart: a cancel ends the action, time passing is accepted.
 */
static enum sip_answer
fsm_active_common(struct sip_action *act, enum sip_event ev,
    sip_transition_cb cb, void *arg)
{
	switch (ev) {
	case SIP_EV_CANCEL:
		sip_change_state(act, SIP_ST_CANCELLED, ev, cb, arg);
		return SIP_ANSWER_ACCEPT;
	case SIP_EV_TICK:
		return SIP_ANSWER_ACCEPT;
	default:
		return fsm_unexpected(ev);
	}
}

enum sip_answer
sip_fsm_step(struct sip_action *act, enum sip_event ev, time_t now,
    sip_transition_cb cb, void *arg)
{
	int max_boots;

	/* A row with max_boots <= 0 would otherwise serve forever. */
	max_boots = act->max_boots > 0 ? act->max_boots : 1;

	/*
	 * Time passes before anything else happens, so an event is always
	 * judged against the state the action really is in now.
	 */
	if (act->state == SIP_ST_SCHEDULED && now >= act->start_at)
		sip_change_state(act, SIP_ST_PENDING, SIP_EV_TICK, cb, arg);
	/*
	 * 0 never expires; a negative expiry is a sum that wrapped (rows
	 * written before times were bounded): past, never "never".
	 */
	if (sip_state_active(act->state) && act->expires_at != 0 &&
	    now >= act->expires_at)
		sip_change_state(act, SIP_ST_EXPIRED, SIP_EV_TICK, cb, arg);

	switch (act->state) {
	case SIP_ST_SCHEDULED:
		switch (ev) {
		case SIP_EV_BOOT:
			return SIP_ANSWER_DEFAULT;
		case SIP_EV_RUNNING:
		case SIP_EV_DONE:
		case SIP_EV_FAILED:
			return SIP_ANSWER_REFUSE;
		default:
			/* cancel, tick: alike in every active state */
			return fsm_active_common(act, ev, cb, arg);
		}
	case SIP_ST_PENDING:
		switch (ev) {
		case SIP_EV_BOOT:
			act->boots = 1;
			/* A oneshot action has nothing left to wait for. */
			if (act->completion == SIP_COMPLETE_ONESHOT)
				sip_change_state(act, SIP_ST_DONE, ev, cb, arg);
			else
				sip_change_state(act, SIP_ST_BOOTING, ev, cb,
				    arg);
			return SIP_ANSWER_ACTION;
		case SIP_EV_RUNNING:
		case SIP_EV_DONE:
		case SIP_EV_FAILED:
			/* Never served: nobody can hold the token rightly. */
			return SIP_ANSWER_REFUSE;
		default:
			/* cancel, tick: alike in every active state */
			return fsm_active_common(act, ev, cb, arg);
		}
	case SIP_ST_BOOTING:
	case SIP_ST_RUNNING:
		switch (ev) {
		case SIP_EV_BOOT:
			/*
			 * A machine that keeps booting the action without
			 * reporting done is in an install loop: stop serving.
			 * A persistent action has used up its boots, which
			 * is no fault: it ends as time would end it.
			 */
			if (act->boots >= max_boots) {
				sip_change_state(act, act->completion ==
				    SIP_COMPLETE_PERSISTENT ? SIP_ST_EXPIRED :
				    SIP_ST_FAILED, ev, cb, arg);
				return SIP_ANSWER_DEFAULT;
			}
			act->boots++;
			/* Each boot of a persistent action starts it again. */
			if (act->completion == SIP_COMPLETE_PERSISTENT)
				sip_change_state(act, SIP_ST_BOOTING, ev, cb,
				    arg);
			return SIP_ANSWER_ACTION;
		case SIP_EV_RUNNING:
			sip_change_state(act, SIP_ST_RUNNING, ev, cb, arg);
			return SIP_ANSWER_ACCEPT;
		case SIP_EV_DONE:
			/*
			 * A persistent action's client is done with this
			 * boot (a session ended), not with the action: it
			 * waits for the next boot.
			 */
			sip_change_state(act, act->completion ==
			    SIP_COMPLETE_PERSISTENT ? SIP_ST_BOOTING :
			    SIP_ST_DONE, ev, cb, arg);
			return SIP_ANSWER_ACCEPT;
		case SIP_EV_FAILED:
			sip_change_state(act, SIP_ST_FAILED, ev, cb, arg);
			return SIP_ANSWER_ACCEPT;
		default:
			/* cancel, tick: alike in every active state */
			return fsm_active_common(act, ev, cb, arg);
		}
	case SIP_ST_DONE:
	case SIP_ST_FAILED:
	case SIP_ST_EXPIRED:
	case SIP_ST_CANCELLED:
		switch (ev) {
		case SIP_EV_BOOT:
			return SIP_ANSWER_DEFAULT;
		case SIP_EV_TICK:
			/* Time passing is never refused; it changes nothing. */
			return SIP_ANSWER_ACCEPT;
		default:
			return SIP_ANSWER_REFUSE;
		}
	default:
		return fsm_unexpected(ev);
	}
}
