@echo off
rem se3-ipxe windows:winpe for {{mac}} (action {{action_id}}): map the install share, report, leave a prompt to the technician.
rem Every value below is a typed option, and the cmd kind refuses & | < > ^ % ! " ( ) in any: nothing cmd.exe reads as an operator.
set "SE3_REPORT={{report_url}}?token={{token}}"
wpeinit
rem The password comes from the secrets file: this file is served once per boot, to this machine only.
net use Z: \\{{share_server}}\{{share_name}} "{{share_password}}" /user:{{share_user}} /persistent:no
curl.exe -fsS -o NUL --retry 3 "%SE3_REPORT%&status=done&progress=100&msg=winpe-shell"
if errorlevel 1 echo se3-ipxe: could not report the shell
echo se3-ipxe: WinPE shell; the install share is Z: if it was mapped.
