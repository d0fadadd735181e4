; Inno Setup 6 script of the esplan Windows installer (应急物资与避难场所规划 安装程序).
;
; Built on Windows by:   python installer\build.py
; which runs PyInstaller (dist\esplan\) and then
;   ISCC.exe /DAppVersion=<pyproject version> /DAppVersionNumeric=<x.y.z.0> /DSourceDir=dist\esplan
;            /DOutputDir=dist /DRepoRoot=<repo> /DChineseIsl=<path of ChineseSimplified.isl>
;            installer\esplan.iss
; giving dist\esplan-<version>-setup.exe.
;
; Chinese (Simplified) setup pages: ChineseSimplified.isl is an UNOFFICIAL Inno Setup translation,
; not installed with Inno Setup. Download it from https://jrsoftware.org/files/istrans/ (entry
; "Chinese (Simplified)", maintained in https://github.com/jrsoftware/issrc/tree/main/Files/Languages/Unofficial)
; and save it as installer\windows\ChineseSimplified.isl (or in Inno Setup's Languages folder).
; Check the file's header for the Inno Setup version it was made for.
;
; Installs per machine (Program Files, needs administrator) or, if the user chooses so in the
; dialog, for the current user only (no administrator rights). Plans the user made are never
; deleted on uninstall.

#ifndef AppVersion
  #error AppVersion must be defined: ISCC /DAppVersion=x.y.z (installer\build.py does this)
#endif
#ifndef AppVersionNumeric
  #define AppVersionNumeric AppVersion
#endif
#ifndef AppName
  #define AppName "esplan"
#endif
#ifndef RepoRoot
  #define RepoRoot AddBackslash(SourcePath) + ".."
#endif
#ifndef SourceDir
  #define SourceDir RepoRoot + "\dist\esplan"
#endif
#ifndef OutputDir
  #define OutputDir RepoRoot + "\dist"
#endif
#ifndef ChineseIsl
  #define ChineseIsl AddBackslash(SourcePath) + "windows\ChineseSimplified.isl"
#endif

#if !FileExists(AddBackslash(SourceDir) + "esplan.exe")
  #error The PyInstaller bundle (esplan.exe) is missing in SourceDir: run python installer\build.py
#endif
#if !FileExists(ChineseIsl)
  #error ChineseSimplified.isl not found (unofficial translation, see the header of esplan.iss)
#endif

#define AppExe "esplan.exe"
#define CliExe "esplan-cli.exe"
#define ProgId "esplan.plan"

[Setup]
; AppId identifies the program for upgrades and uninstall: never change it.
AppId={{5B0E9C4A-6F1D-4C58-9E0B-2D7A3E51C8F4}
AppName={#AppName}
AppVerName={#AppName} {#AppVersion}
AppVersion={#AppVersion}
AppPublisher=esplan developers
AppComments=应急物资与避难场所规划 — emergency supplies & shelter planner
VersionInfoVersion={#AppVersionNumeric}
VersionInfoProductVersion={#AppVersionNumeric}
VersionInfoDescription=esplan {#AppVersion} Setup
DefaultDirName={autopf}\esplan
DefaultGroupName=esplan
DisableProgramGroupPage=auto
PrivilegesRequired=admin
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir={#OutputDir}
OutputBaseFilename=esplan-{#AppVersion}-setup
SetupIconFile={#SourcePath}icons\esplan.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName} {#AppVersion}
LicenseFile={#SourcePath}windows\license.txt
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ChangesAssociations=yes
CloseApplications=yes
RestartApplications=no
ShowLanguageDialog=auto
UsePreviousLanguage=no

[Languages]
Name: "chinesesimplified"; MessagesFile: "{#ChineseIsl}"
Name: "english"; MessagesFile: "compiler:Default.isl"

[CustomMessages]
chinesesimplified.AssocTask=将 .esplan 规划方案文件与 esplan 关联(&A)
english.AssocTask=&Associate .esplan plan files with esplan
chinesesimplified.PlanFile=esplan 应急规划方案
english.PlanFile=esplan plan
chinesesimplified.CliShortcut=esplan 命令行
english.CliShortcut=esplan command line
chinesesimplified.SelfTest=esplan 安装自检
english.SelfTest=esplan installation self-test
chinesesimplified.AppShortcut=应急物资与避难场所规划
english.AppShortcut=esplan Emergency Planner

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"
Name: "assoc"; Description: "{cm:AssocTask}"; GroupDescription: "{cm:AdditionalIcons}"

[Files]
; the whole one-folder bundle: esplan.exe, esplan-cli.exe and _internal\
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
Source: "{#SourcePath}icons\esplan.ico"; DestDir: "{app}"; Flags: ignoreversion

[InstallDelete]
; an upgrade replaces the bundle completely (stale modules of an older version must not linger)
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{group}\{cm:AppShortcut}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{userdocs}"; IconFilename: "{app}\esplan.ico"
Name: "{group}\{cm:CliShortcut}"; Filename: "{cmd}"; Parameters: "/K ""cd /d ""{app}"" && esplan-cli --help"""; WorkingDir: "{app}"; IconFilename: "{app}\esplan.ico"
Name: "{group}\{cm:SelfTest}"; Filename: "{cmd}"; Parameters: "/K """"{app}\{#CliExe}"" --self-test"""; WorkingDir: "{app}"
Name: "{group}\{cm:UninstallProgram,{#AppName}}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{cm:AppShortcut}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{userdocs}"; IconFilename: "{app}\esplan.ico"; Tasks: desktopicon

[Registry]
; file association (HKA = HKLM for a per-machine install, HKCU for a per-user install)
Root: HKA; Subkey: "Software\Classes\.esplan"; ValueType: string; ValueName: ""; ValueData: "{#ProgId}"; Flags: uninsdeletevalue; Tasks: assoc
Root: HKA; Subkey: "Software\Classes\.esplan\OpenWithProgids"; ValueType: string; ValueName: "{#ProgId}"; ValueData: ""; Flags: uninsdeletevalue; Tasks: assoc
Root: HKA; Subkey: "Software\Classes\{#ProgId}"; ValueType: string; ValueName: ""; ValueData: "{cm:PlanFile}"; Flags: uninsdeletekey; Tasks: assoc
Root: HKA; Subkey: "Software\Classes\{#ProgId}\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\esplan.ico,0"; Tasks: assoc
Root: HKA; Subkey: "Software\Classes\{#ProgId}\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" ""%1"""; Tasks: assoc
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: ".esplan"; ValueData: ""; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" ""%1"""; Flags: uninsdeletekey

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{cm:AppShortcut}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; only what the program itself wrote into its folder; the user's plans (Documents, AppData) stay
Type: filesandordirs; Name: "{app}\_internal\__pycache__"
