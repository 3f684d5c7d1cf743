# se3-ipxe: fold the boots ipxe.cgi recorded, start and expire actions, send
# the wakes that are due, purge old history.  Under systemd the
# se3-ipxe-tick.timer does it; this is for systems booted without it.
* * * * * root [ -x /usr/sbin/se3-ipxe ] && [ ! -d /run/systemd/system ] && /usr/sbin/se3-ipxe tick -q
