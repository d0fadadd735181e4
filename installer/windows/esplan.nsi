; NSIS 3 script of the esplan Windows installer (应急物资与避难场所规划 安装程序), 64-bit.
;
; Compiled on Linux (Debian package nsis) or Windows (https://nsis.sourceforge.io) by
;     python installer/build_windows.py
; which stages the program into build/win/esplan-<version>/ (the embeddable CPython in Python\,
; the Windows wheels in pkgs\, the launchers esplan.exe and esplan-cli.exe) and then runs
;     makensis -DVERSION=<v> -DVERSION4=<a.b.c.d> -DSTAGE=<stage> -DOUTFILE=<setup.exe>
;              -DICON=<esplan.ico> -DLICENSE=<license.txt> [-DFAST=1] [-DSIGNCMD=<command>] esplan.nsi
;
; Chinese (Simplified) and English pages (NSIS's own SimpChinese translation), per-machine
; (Program Files, administrator) or per-user (no administrator) install — chosen on a page or with
; /AllUsers or /CurrentUser on the command line (silent: /S) — start-menu entries, an optional
; desktop icon and .esplan file association, and an uninstaller that removes the program only:
; plans in Documents, in %APPDATA%\esplan or anywhere else are never deleted.

!ifndef VERSION | STAGE | OUTFILE | ICON | LICENSE
  !error "VERSION, STAGE, OUTFILE, ICON and LICENSE must be defined (python installer/build_windows.py does this)"
!endif
!ifndef VERSION4
  !define VERSION4 "0.0.0.0"
!endif

Target amd64-unicode   ; a 64-bit setup: 64-bit Program Files and registry without redirection
ManifestDPIAware true
!ifdef FAST   ; CI: zlib is ~10x quicker to compile, the setup ~40 % bigger
  SetCompressor zlib
!else
  SetCompressor /SOLID lzma
  SetCompressorDictSize 64
!endif

!define APPNAME "esplan"
!define PUBLISHER "esplan developers"
!define PROGID "esplan.plan"
!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\esplan"

Name "esplan ${VERSION}"
OutFile "${OUTFILE}"
BrandingText "esplan ${VERSION}"
ShowInstDetails hide
ShowUninstDetails hide

VIProductVersion "${VERSION4}"
VIAddVersionKey /LANG=0 "ProductName" "esplan"
VIAddVersionKey /LANG=0 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "FileDescription" "esplan ${VERSION} Setup"
VIAddVersionKey /LANG=0 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=0 "LegalCopyright" "GPL-3.0-or-later"

!ifdef SIGNCMD   ; signing configured (installer/build_windows.py: ESPLAN_SIGN_PFX)
  !finalize '${SIGNCMD} "%1"' = 0
  !uninstfinalize '${SIGNCMD} "%1"' = 0
!endif

; -- per-machine or per-user ----------------------------------------------------------------------
!define MULTIUSER_EXECUTIONLEVEL Highest
!define MULTIUSER_MUI
!define MULTIUSER_INSTALLMODE_COMMANDLINE
!define MULTIUSER_USE_PROGRAMFILES64
!define MULTIUSER_INSTALLMODE_INSTDIR "esplan"
!define MULTIUSER_INSTALLMODE_DEFAULT_REGISTRY_KEY "${UNINST_KEY}"
!define MULTIUSER_INSTALLMODE_DEFAULT_REGISTRY_VALUENAME "InstallLocation"
!define MULTIUSER_INSTALLMODE_INSTDIR_REGISTRY_KEY "${UNINST_KEY}"
!define MULTIUSER_INSTALLMODE_INSTDIR_REGISTRY_VALUENAME "InstallLocation"
!include MultiUser.nsh
!include MUI2.nsh
!include FileFunc.nsh
!include x64.nsh

; -- pages ----------------------------------------------------------------------------------------
!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
!define MUI_LANGDLL_ALLLANGUAGES
!define MUI_COMPONENTSPAGE_NODESC
!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_LICENSE "${LICENSE}"
!insertmacro MULTIUSER_PAGE_INSTALLMODE
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_COMPONENTS
!insertmacro MUI_PAGE_INSTFILES
!define MUI_FINISHPAGE_RUN "$INSTDIR\esplan.exe"
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES

!insertmacro MUI_LANGUAGE "SimpChinese"
!insertmacro MUI_LANGUAGE "English"
!insertmacro MUI_RESERVEFILE_LANGDLL

LangString AppShortcut ${LANG_SIMPCHINESE} "应急物资与避难场所规划"
LangString AppShortcut ${LANG_ENGLISH} "esplan Emergency Planner"
LangString CliShortcut ${LANG_SIMPCHINESE} "esplan 命令行"
LangString CliShortcut ${LANG_ENGLISH} "esplan 命令行 (command line)"
LangString SelfTest ${LANG_SIMPCHINESE} "esplan 安装自检"
LangString SelfTest ${LANG_ENGLISH} "esplan 安装自检 (installation self-test)"
LangString UninstShortcut ${LANG_SIMPCHINESE} "卸载 esplan"
LangString UninstShortcut ${LANG_ENGLISH} "Uninstall esplan"
LangString SecApp ${LANG_SIMPCHINESE} "esplan 程序"
LangString SecApp ${LANG_ENGLISH} "esplan program"
LangString SecDesktop ${LANG_SIMPCHINESE} "桌面快捷方式"
LangString SecDesktop ${LANG_ENGLISH} "Desktop icon"
LangString SecAssoc ${LANG_SIMPCHINESE} "将 .esplan 规划方案文件与 esplan 关联"
LangString SecAssoc ${LANG_ENGLISH} "Associate .esplan plan files with esplan"
LangString PlanFile ${LANG_SIMPCHINESE} "esplan 应急规划方案"
LangString PlanFile ${LANG_ENGLISH} "esplan plan"

; -- install --------------------------------------------------------------------------------------
Section "!$(SecApp)" SecApp
  SectionIn RO
  SetRegView 64
  ; an upgrade replaces the program completely (stale modules of an older version must not linger)
  RMDir /r "$INSTDIR\pkgs"
  RMDir /r "$INSTDIR\Python"
  SetOutPath "$INSTDIR"
  File /r "${STAGE}\*.*"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  ; start menu: the program, the command line, the self-test, uninstall
  CreateDirectory "$SMPROGRAMS\esplan"
  SetOutPath "$DOCUMENTS"   ; working folder of the program's shortcut
  CreateShortCut "$SMPROGRAMS\esplan\$(AppShortcut).lnk" "$INSTDIR\esplan.exe" "" "$INSTDIR\esplan.ico"
  SetOutPath "$INSTDIR"
  CreateShortCut "$SMPROGRAMS\esplan\$(CliShortcut).lnk" "$SYSDIR\cmd.exe" \
    '/K "cd /d "$INSTDIR" && esplan-cli --help"' "$INSTDIR\esplan.ico"
  CreateShortCut "$SMPROGRAMS\esplan\$(SelfTest).lnk" "$SYSDIR\cmd.exe" \
    '/K ""$INSTDIR\esplan-cli.exe" --self-test"' "$INSTDIR\esplan.ico"
  CreateShortCut "$SMPROGRAMS\esplan\$(UninstShortcut).lnk" "$INSTDIR\uninstall.exe" \
    "/$MultiUser.InstallMode"

  ; Settings → Apps (HKLM for all users, HKCU for the current user: SHCTX follows MultiUser)
  WriteRegStr SHCTX "${UNINST_KEY}" "DisplayName" "esplan ${VERSION}"
  WriteRegStr SHCTX "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr SHCTX "${UNINST_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr SHCTX "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\esplan.ico"
  WriteRegStr SHCTX "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr SHCTX "${UNINST_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe" /$MultiUser.InstallMode'
  WriteRegStr SHCTX "${UNINST_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /$MultiUser.InstallMode /S'
  WriteRegDWORD SHCTX "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD SHCTX "${UNINST_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  WriteRegDWORD SHCTX "${UNINST_KEY}" "EstimatedSize" "$0"
SectionEnd

Section "$(SecDesktop)" SecDesktop
  SetOutPath "$DOCUMENTS"
  CreateShortCut "$DESKTOP\$(AppShortcut).lnk" "$INSTDIR\esplan.exe" "" "$INSTDIR\esplan.ico"
  SetOutPath "$INSTDIR"
SectionEnd

Section "$(SecAssoc)" SecAssoc
  SetRegView 64
  WriteRegStr SHCTX "Software\Classes\.esplan" "" "${PROGID}"
  WriteRegStr SHCTX "Software\Classes\.esplan\OpenWithProgids" "${PROGID}" ""
  WriteRegStr SHCTX "Software\Classes\${PROGID}" "" "$(PlanFile)"
  WriteRegStr SHCTX "Software\Classes\${PROGID}\DefaultIcon" "" "$INSTDIR\esplan.ico,0"
  WriteRegStr SHCTX "Software\Classes\${PROGID}\shell\open\command" "" '"$INSTDIR\esplan.exe" "%1"'
  WriteRegStr SHCTX "Software\Classes\Applications\esplan.exe\SupportedTypes" ".esplan" ""
  WriteRegStr SHCTX "Software\Classes\Applications\esplan.exe\shell\open\command" "" '"$INSTDIR\esplan.exe" "%1"'
  System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, p 0, p 0)'   ; SHCNE_ASSOCCHANGED
SectionEnd

Function .onInit
  !insertmacro MULTIUSER_INIT
  !insertmacro MUI_LANGDLL_DISPLAY
  ${IfNot} ${RunningX64}
    MessageBox MB_OK|MB_ICONSTOP "esplan needs 64-bit Windows 10 or 11." /SD IDOK
    Abort
  ${EndIf}
FunctionEnd

; -- uninstall: the program only, never the user's plans ---------------------------------------------
Section "Uninstall"
  SetRegView 64
  Delete "$INSTDIR\esplan.exe"
  Delete "$INSTDIR\esplan-cli.exe"
  Delete "$INSTDIR\esplan.ico"
  Delete "$INSTDIR\README.txt"
  Delete "$INSTDIR\LICENSE.txt"
  RMDir /r "$INSTDIR\Python"
  RMDir /r "$INSTDIR\pkgs"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"   ; only when empty: anything the user saved in it stays

  RMDir /r "$SMPROGRAMS\esplan"
  Delete "$DESKTOP\应急物资与避难场所规划.lnk"
  Delete "$DESKTOP\esplan Emergency Planner.lnk"

  ReadRegStr $0 SHCTX "Software\Classes\.esplan" ""
  StrCmp $0 "${PROGID}" 0 +2
    DeleteRegValue SHCTX "Software\Classes\.esplan" ""
  DeleteRegValue SHCTX "Software\Classes\.esplan\OpenWithProgids" "${PROGID}"
  DeleteRegKey /ifempty SHCTX "Software\Classes\.esplan\OpenWithProgids"
  DeleteRegKey /ifempty SHCTX "Software\Classes\.esplan"
  DeleteRegKey SHCTX "Software\Classes\${PROGID}"
  DeleteRegKey SHCTX "Software\Classes\Applications\esplan.exe"
  DeleteRegKey SHCTX "${UNINST_KEY}"
  System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, p 0, p 0)'
SectionEnd

Function un.onInit
  !insertmacro MULTIUSER_UNINIT
  !insertmacro MUI_UNGETLANGUAGE
FunctionEnd
