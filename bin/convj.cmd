@echo off
rem Runs ConvJ's command line (examples\target\convj.jar, or %CONVJ_JAR%) on the JDK in %JAVA_HOME% or on the PATH,
rem with the JVM options its kernels need on that JDK; every argument is passed through.
setlocal EnableDelayedExpansion
set "HOME_DIR=%~dp0.."
if defined CONVJ_JAR (set "JAR=%CONVJ_JAR%") else (set "JAR=%HOME_DIR%\examples\target\convj.jar")
if defined JAVA_HOME (set "JAVA=%JAVA_HOME%\bin\java.exe") else (set "JAVA=java")
"%JAVA%" -version >nul 2>&1
if errorlevel 1 (
  echo convj: no java found: install a JDK 17 or newer or set JAVA_HOME 1>&2
  exit /b 1
)
set "MAJOR="
for /f "tokens=3" %%v in ('"%JAVA%" -version 2^>^&1 ^| findstr /i "version"') do (
  if not defined MAJOR for /f "delims=.-+ tokens=1" %%m in (%%v) do set "MAJOR=%%~m"
)
if not defined MAJOR set "MAJOR=0"
if !MAJOR! LSS 17 (
  echo convj: %JAVA% is not Java 17 or newer: install one or set JAVA_HOME 1>&2
  exit /b 1
)
if not exist "%JAR%" (
  echo convj: %JAR% is missing: build it first with mvn -B -ntp -q package -DskipTests 1>&2
  exit /b 1
)
set "OPTIONS=--add-modules jdk.incubator.vector"
if !MAJOR! GEQ 24 set "OPTIONS=!OPTIONS! --sun-misc-unsafe-memory-access=allow"
"%JAVA%" !OPTIONS! %CONVJ_JAVA_OPTS% -jar "%JAR%" %*
exit /b %ERRORLEVEL%
