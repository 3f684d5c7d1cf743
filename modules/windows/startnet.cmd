@echo off
rem se3-ipxe windows:install for {{mac}} (action {{action_id}}): prepare disk 0, map the install share, run setup, report with the token.
rem Every value below is a typed option, and the cmd kind refuses & | < > ^ % ! " ( ) in any: nothing cmd.exe reads as an operator.
setlocal
set "SE3_REPORT={{report_url}}?token={{token}}"
set "SE3_DISK={{disk}}"
set "SE3_PARTITION={{partition}}"
set "SE3_SETUP={{setup_path}}"
set "SE3_SETUP=%SE3_SETUP:/=\%"
set "SE3_UNATTEND=%SystemRoot%\System32\autounattend.xml"
set "SE3_DP=%TEMP%\se3-diskpart.txt"

set "SE3_MODE={{mode}}"

wpeinit
call :report running 5 winpe-started
if "%SE3_MODE%"=="keep-data" goto keep_data

rem 1 is BIOS, 2 is UEFI: the layout of the disk depends on it.
set SE3_FW=0
for /f "tokens=3" %%f in ('reg query HKLM\System\CurrentControlSet\Control /v PEFirmwareType 2^>nul ^| find "PEFirmwareType"') do set "SE3_FW=%%f"
if "%SE3_FW%"=="0x1" set SE3_FW=1
if "%SE3_FW%"=="0x2" set SE3_FW=2
if not "%SE3_FW%"=="1" if not "%SE3_FW%"=="2" (
	call :fail 10 firmware-unknown
	goto :eof
)

if "%SE3_DISK%"=="whole" goto whole
rem keep-partitions: only the chosen partition is formatted.
> "%SE3_DP%" echo select disk 0
>> "%SE3_DP%" echo select partition %SE3_PARTITION%
>> "%SE3_DP%" echo format quick fs=ntfs label=Windows
goto diskpart
:keep_data
rem keep-data: nothing partitioned or formatted, the partition only checked to exist.
rem Setup moves the Windows found in it, Program Files and Users to Windows.old.
> "%SE3_DP%" echo select disk 0
>> "%SE3_DP%" echo select partition %SE3_PARTITION%
goto diskpart
:whole
rem The whole disk: Windows is partition 3 in both layouts, as the answer file says.
if not "%SE3_PARTITION%"=="3" (
	call :fail 10 whole-disk-needs-partition-3
	goto :eof
)
> "%SE3_DP%" echo select disk 0
>> "%SE3_DP%" echo clean
if "%SE3_FW%"=="2" goto whole_uefi
>> "%SE3_DP%" echo create partition primary size=500
>> "%SE3_DP%" echo format quick fs=ntfs label=System
>> "%SE3_DP%" echo active
>> "%SE3_DP%" echo create partition primary size=1000
>> "%SE3_DP%" echo format quick fs=ntfs label=Recovery
>> "%SE3_DP%" echo set id=27
goto whole_windows
:whole_uefi
>> "%SE3_DP%" echo convert gpt
>> "%SE3_DP%" echo create partition efi size=260
>> "%SE3_DP%" echo format quick fs=fat32 label=System
>> "%SE3_DP%" echo create partition msr size=16
:whole_windows
>> "%SE3_DP%" echo create partition primary
>> "%SE3_DP%" echo format quick fs=ntfs label=Windows
:diskpart
diskpart /s "%SE3_DP%"
if errorlevel 1 (
	call :fail 15 diskpart
	goto :eof
)
call :report running 20 disk-ready

rem The password comes from the secrets file: this file is served once per boot, to this machine only.
net use Z: \\{{share_server}}\{{share_name}} "{{share_password}}" /user:{{share_user}} /persistent:no
if errorlevel 1 (
	call :fail 25 share-not-mapped
	goto :eof
)
if not exist "Z:\%SE3_SETUP%\setup.exe" (
	call :fail 25 setup-exe-not-found
	goto :eof
)
call :report running 30 setup-started
rem /noreboot: the report below is made before the machine restarts.
"Z:\%SE3_SETUP%\setup.exe" /unattend:"%SE3_UNATTEND%" /noreboot
if errorlevel 1 (
	call :fail 40 setup-failed
	goto :eof
)
call :report done 100 setup-copied-windows
net use Z: /delete /y >nul
wpeutil reboot
goto :eof

:fail
call :report failed %1 %2
echo se3-ipxe: the installation failed: %2
goto :eof

:report
curl.exe -fsS -o NUL --retry 3 "%SE3_REPORT%&status=%1&progress=%2&msg=%3"
if errorlevel 1 echo se3-ipxe: could not report %1 %3
goto :eof
