# se3-ipxe: fold the boots ipxe.cgi recorded, expire overdue actions, purge old history.
*/5 * * * * root [ -x /usr/sbin/se3-ipxe ] && /usr/sbin/se3-ipxe cleanup > /dev/null
