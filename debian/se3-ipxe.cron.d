# se3-ipxe: fold the boots ipxe.cgi recorded, start and expire actions, send the wakes that are due, purge old history.
* * * * * root [ -x /usr/sbin/se3-ipxe ] && /usr/sbin/se3-ipxe tick -q
