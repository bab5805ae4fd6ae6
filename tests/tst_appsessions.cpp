// Sessions in the app: save, open read-only, Open Recent, the quit prompt, autosave and its
// recovery (including the real finscope binary killed with SIGKILL), timeline export and the
// example sessions. Settings, autosaves and files live in a QTemporaryDir, never the user's.

#include "autosave.h"
#include "connectionpanel.h"
#include "engine/run/recorder.h"
#include "engine/run/workbench.h"
#include "eventtablemodel.h"
#include "mainwindow.h"
#include "render/timelineexport.h"
#include "sessioncontroller.h"
#include "sessionview.h"
#include "sessionwindow.h"
#include "timelinewidget.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QImage>
#include <QLockFile>
#include <QMenu>
#include <QProcess>
#include <QPushButton>
#include <QSettings>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>

using namespace finscope;

namespace {

using Choice = SessionController::UnsavedChoice;
using Recovery = SessionController::RecoveryChoice;

// A client connects to the window's own server, sends a request and half-closes; the server
// reads it and the FIN.
void halfClose(MainWindow &w)
{
    Endpoint *client
        = w.workbench()->connectClient(QStringLiteral("127.0.0.1"), w.workbench()->listenPort());
    QTRY_VERIFY(client->isOpen());
    QTRY_COMPARE(w.workbench()->serverConnections().size(), qsizetype(1));
    QVERIFY(client->send("Hello, server"));
    QVERIFY(client->shutdown(ShutdownHow::Write));
    QTRY_VERIFY(w.workbench()->serverConnections().first()->eofSeen());
}

qsizetype countKind(const EventStore &store, EventKind kind, Side side)
{
    return std::count_if(store.events().begin(), store.events().end(), [&](const Event &e) {
        return e.kind == kind && e.side == side;
    });
}

// The pid of a process that has exited (and been reaped): a pid that is not running.
qint64 deadPid()
{
    QProcess p;
    p.start(QStringLiteral("sleep"), {QStringLiteral("30")});
    if (!p.waitForStarted())
        return -1;
    const qint64 pid = p.processId();
    p.kill();
    p.waitForFinished();
    return pid;
}

// Loads path until check accepts the session, or the time is up.
std::optional<Session> waitForSession(const QString &path,
                                      const std::function<bool(const Session &)> &check,
                                      int timeoutMs)
{
    QElapsedTimer waited;
    waited.start();
    while (waited.elapsed() < timeoutMs) {
        QString error;
        if (QFileInfo::exists(path)) {
            std::optional<Session> s = Session::load(path, &error);
            if (s && check(*s))
                return s;
        }
        QTest::qWait(100);
    }
    return std::nullopt;
}

QStringList exampleFiles()
{
    QStringList out;
    const QDir dir(QStringLiteral(FINSCOPE_EXAMPLES));
    for (const QString &name : dir.entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name))
        out.append(dir.filePath(name));
    return out;
}

bool hasColor(const QImage &image, QRgb color)
{
    for (int y = 0; y < image.height(); ++y) {
        const QRgb *line = reinterpret_cast<const QRgb *>(image.constScanLine(y));
        for (int x = 0; x < image.width(); ++x) {
            if ((line[x] & 0xffffff) == (color & 0xffffff))
                return true;
        }
    }
    return false;
}

} // namespace

class TestAppSessions : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void saveThenOpenReadOnly();
    void failedOpenKeepsTheLiveSession_data();
    void failedOpenKeepsTheLiveSession();
    void unwritablePathIsReported();
    void recentListKeepsTheLastEight();
    void recentMissingFileIsDropped();
    void quitAsksOnlyForUnsavedConnections();
    void quitSaveAsksForAFileAndCancelKeepsTheWindow();
    void autosaveWritesWhileChangedAndCleanQuitRemovesIt();
    void orphansAreAutosavesOfDeadProcesses();
    void orphansAreAutosavesWhoseLockIsFree();
    void recoveryOpensReadOnlyAndSaveAsLetsTheAutosaveGo();
    void recoveryDiscardRemovesTheFile();
    void listenerOnlyAutosaveIsNotOffered();
    void killedAppLeavesAValidAutosave();
    void exportsPngAndSvg();
    void examplesLoad();
    void examplesOpenInTheApp();

private:
    MainWindow &window();

    QTemporaryDir m_home;
    QTemporaryDir m_files;
    std::unique_ptr<MainWindow> m_window;
    QStringList m_errors;
};

void TestAppSessions::initTestCase()
{
    QVERIFY(m_home.isValid());
    // Before any QSettings or QStandardPaths use: the user's config and data are never touched.
    qputenv("HOME", m_home.path().toLocal8Bit());
    qputenv("XDG_CONFIG_HOME", m_home.filePath(QStringLiteral("config")).toLocal8Bit());
    qputenv("XDG_DATA_HOME", m_home.filePath(QStringLiteral("data")).toLocal8Bit());
    QCoreApplication::setOrganizationName(QStringLiteral("FinScopeTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_appsessions"));
    QVERIFY(Autosave::defaultDirectory().startsWith(m_home.path()));
}

void TestAppSessions::init()
{
    m_errors.clear();
    RecentFiles().clear();
}

void TestAppSessions::cleanup()
{
    m_window.reset();
}

MainWindow &TestAppSessions::window()
{
    if (!m_window) {
        m_window = std::make_unique<MainWindow>(
            nullptr, QDir(m_files.path()).filePath(QStringLiteral("autosave")));
        m_window->sessions()->setErrorReporter([this](const QString &title, const QString &text) {
            m_errors.append(title + ": " + text);
        });
        m_window->startDemo();
        m_window->show();
    }
    return *m_window;
}

void TestAppSessions::saveThenOpenReadOnly()
{
    MainWindow &w = window();
    halfClose(w);
    if (QTest::currentTestFailed())
        return;
    const QString path = m_files.filePath(QStringLiteral("half-close.json"));
    QVERIFY(w.sessions()->saveTo(path));
    QVERIFY2(m_errors.isEmpty(), qPrintable(m_errors.join('\n')));
    QVERIFY(w.windowTitle().startsWith(QLatin1StringView("half-close.json")));
    QCOMPARE(RecentFiles().files().value(0), QFileInfo(path).absoluteFilePath());

    SessionWindow *opened = w.sessions()->openSession(path);
    QVERIFY(opened);
    QCOMPARE(opened->windowTitle(), QStringLiteral("half-close.json — read-only — FinScope"));
    // Read-only: no connection controls at all, and opening connected nothing.
    QVERIFY(opened->findChildren<ConnectionPanel *>().isEmpty());
    QVERIFY(opened->findChildren<QPushButton *>().isEmpty());
    QCOMPARE(w.workbench()->clients().size(), qsizetype(1));
    QCOMPARE(w.workbench()->serverConnections().size(), qsizetype(1));
    // It shows the saved events, with the client and server lanes joined as peers.
    const EventStore &shown = *opened->view()->store();
    QVERIFY(&shown != &w.workbench()->events());
    QCOMPARE(opened->view()->eventModel()->rowCount(), int(opened->session().events.size()));
    QCOMPARE(countKind(shown, EventKind::Eof, Side::Server), qsizetype(1));
    const TimelineModel &model = *opened->view()->timeline()->model();
    QCOMPARE(model.lanes().size(), size_t(2));
    QCOMPARE(model.lanes()[0].peer, 1);
    QCOMPARE(w.sessions()->sessionWindows().size(), qsizetype(1));
}

void TestAppSessions::failedOpenKeepsTheLiveSession_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("problem");
    QTest::newRow("not JSON") << QByteArray("{\"format\": \"finscope-session\", ") << "JSON";
    QTest::newRow("newer version")
        << QByteArray(R"({"format": "finscope-session", "version": 2})") << "version 2";
    QTest::newRow("missing file") << QByteArray() << "";
}

void TestAppSessions::failedOpenKeepsTheLiveSession()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, problem);
    MainWindow &w = window();
    const QString path
        = m_files.filePath(QStringLiteral("bad-%1.json").arg(QTest::currentDataTag()));
    if (!content.isEmpty()) {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(content);
    }
    const qsizetype before = w.workbench()->events().size();
    QVERIFY(!w.sessions()->openSession(path));
    QCOMPARE(m_errors.size(), 1);
    QVERIFY2(m_errors.first().contains(QFileInfo(path).fileName()), qPrintable(m_errors.first()));
    QVERIFY2(m_errors.first().contains(problem), qPrintable(m_errors.first()));
    QVERIFY(w.sessions()->sessionWindows().isEmpty());
    QVERIFY(w.workbench()->isListening());
    QVERIFY(w.workbench()->events().size() >= before);
    QCOMPARE(w.view()->store(), &w.workbench()->events());
    QVERIFY(RecentFiles().files().isEmpty());
}

void TestAppSessions::unwritablePathIsReported()
{
    MainWindow &w = window();
    const QString path = m_files.filePath(QStringLiteral("no-such-folder/s.json"));
    QVERIFY(!w.sessions()->saveTo(path));
    QCOMPARE(m_errors.size(), 1);
    QVERIFY2(m_errors.first().contains(QLatin1StringView("no-such-folder")),
             qPrintable(m_errors.first()));
    QVERIFY(w.sessions()->path().isEmpty());
    QCOMPARE(w.windowTitle(), QStringLiteral("FinScope"));
}

void TestAppSessions::recentListKeepsTheLastEight()
{
    RecentFiles recent;
    for (int i = 0; i < 10; ++i)
        recent.add(m_files.filePath(QStringLiteral("s%1.json").arg(i)));
    recent.add(m_files.filePath(QStringLiteral("s5.json"))); // again: moves to the top
    const QStringList files = recent.files();
    QCOMPARE(files.size(), RecentFiles::MaxFiles);
    QCOMPARE(QFileInfo(files.first()).fileName(), QStringLiteral("s5.json"));
    QCOMPARE(QFileInfo(files.last()).fileName(), QStringLiteral("s2.json"));
    QCOMPARE(files.count(m_files.filePath(QStringLiteral("s5.json"))), 1);
    // Kept in QSettings, so the next run sees it.
    QCOMPARE(QSettings().value(QStringLiteral("recent/files")).toStringList(), files);
}

void TestAppSessions::recentMissingFileIsDropped()
{
    MainWindow &w = window();
    const QString kept = m_files.filePath(QStringLiteral("kept.json"));
    QVERIFY(w.sessions()->saveTo(kept));
    const QString gone = m_files.filePath(QStringLiteral("gone.json"));
    QVERIFY(w.sessions()->saveTo(gone));
    QVERIFY(QFile::remove(gone));
    QMenu menu;
    w.sessions()->fillRecentMenu(&menu);
    QCOMPARE(menu.actions().value(0)->toolTip(), QDir::toNativeSeparators(gone));
    menu.actions().value(0)->trigger();
    QCOMPARE(m_errors.size(), 1);
    QVERIFY2(m_errors.first().contains(QLatin1StringView("gone.json"))
                 && m_errors.first().contains(QLatin1StringView("no longer exists")),
             qPrintable(m_errors.first()));
    QCOMPARE(RecentFiles().files(), QStringList{kept});
    QVERIFY(w.sessions()->sessionWindows().isEmpty());
    // The one that exists opens from the menu.
    w.sessions()->fillRecentMenu(&menu);
    menu.actions().value(0)->trigger();
    QCOMPARE(w.sessions()->sessionWindows().size(), qsizetype(1));
}

void TestAppSessions::quitAsksOnlyForUnsavedConnections()
{
    MainWindow &w = window();
    int asked = 0;
    w.sessions()->setUnsavedPrompt([&](qsizetype) {
        ++asked;
        return Choice::Discard;
    });
    // Only the listener's own events so far: nothing worth a question.
    QVERIFY(!w.workbench()->events().isEmpty());
    QVERIFY(w.sessions()->confirmClose());
    QCOMPARE(asked, 0);
    halfClose(w);
    if (QTest::currentTestFailed())
        return;
    QVERIFY(w.sessions()->unsavedEvents() > 0);
    QVERIFY(w.sessions()->confirmClose());
    QCOMPARE(asked, 1);
}

void TestAppSessions::quitSaveAsksForAFileAndCancelKeepsTheWindow()
{
    MainWindow &w = window();
    halfClose(w);
    if (QTest::currentTestFailed())
        return;
    Choice answer = Choice::Cancel;
    w.sessions()->setUnsavedPrompt([&](qsizetype) { return answer; });
    const QString path = m_files.filePath(QStringLiteral("at-quit.json"));
    w.sessions()->setFilePrompt([&](SessionController::FileRole role, const QString &) {
        return role == SessionController::FileRole::SaveSession ? path : QString();
    });
    QVERIFY(!w.close());
    QVERIFY(w.isVisible());
    QVERIFY(!QFileInfo::exists(path));

    answer = Choice::Save;
    QVERIFY(w.close());
    const auto saved = Session::load(path, nullptr);
    QVERIFY(saved);
    QCOMPARE(countKind(saved->events, EventKind::Eof, Side::Server), qsizetype(1));
}

void TestAppSessions::autosaveWritesWhileChangedAndCleanQuitRemovesIt()
{
    MainWindow &w = window();
    Autosave *autosave = w.sessions()->autosave();
    // Named for this run alone (pid and random bits), and locked while the app runs.
    QVERIFY(
        QFileInfo(autosave->path())
            .fileName()
            .startsWith(QStringLiteral("finscope-%1-").arg(QCoreApplication::applicationPid())));
    autosave->setInterval(50);
    QTRY_VERIFY(QFileInfo::exists(autosave->path()));
    QVERIFY(!autosave->isStale());
    QVERIFY(Autosave::lockHeld(Autosave::lockPath(autosave->path())));
    QVERIFY(!Autosave::orphans(autosave->directory()).contains(autosave->path()));
    halfClose(w);
    if (QTest::currentTestFailed())
        return;
    const auto saved = waitForSession(
        autosave->path(),
        [](const Session &s) { return countKind(s.events, EventKind::Eof, Side::Server) == 1; },
        5000);
    QVERIFY(saved);
    QCOMPARE(saved->tool.left(8), QStringLiteral("finscope"));

    SessionWindow *opened = w.sessions()->openSession(exampleFiles().value(0));
    QVERIFY(opened && opened->isVisible());
    QVERIFY(!opened->parent()); // a window of its own, not kept above the live one

    w.sessions()->setUnsavedPrompt([](qsizetype) { return Choice::Discard; });
    QVERIFY(w.close());
    QVERIFY(!QFileInfo::exists(autosave->path()));
    QVERIFY(!QFileInfo::exists(Autosave::lockPath(autosave->path())));
    // Quitting closes the read-only windows too.
    QTRY_VERIFY(w.sessions()->sessionWindows().isEmpty());
}

void TestAppSessions::orphansAreAutosavesOfDeadProcesses()
{
    QCOMPARE(Autosave::pidOf(QStringLiteral("finscope-1234.json")), qint64(1234));
    QCOMPARE(Autosave::pidOf(QStringLiteral("finscope-.json")), qint64(-1));
    QCOMPARE(Autosave::pidOf(QStringLiteral("finscope-12x.json")), qint64(-1));
    QCOMPARE(Autosave::pidOf(QStringLiteral("finscope-0.json")), qint64(-1));
    QCOMPARE(Autosave::pidOf(QStringLiteral("finscope-12.json.unreadable")), qint64(-1));

    QTemporaryDir dir;
    for (const char *name : {"finscope-100.json",
                             "finscope-200.json",
                             "finscope-300.json.unreadable",
                             "notes.json",
                             "finscope-abc.json"}) {
        QFile file(dir.filePath(QLatin1StringView(name)));
        QVERIFY(file.open(QIODevice::WriteOnly));
    }
    const QStringList orphans
        = Autosave::orphans(dir.path(), [](qint64 pid) { return pid == 100; });
    QCOMPARE(orphans, QStringList{dir.filePath(QStringLiteral("finscope-200.json"))});

    // The real check: this process runs, one that has exited does not.
    QVERIFY(Autosave::processRunning(QCoreApplication::applicationPid()));
    const qint64 dead = deadPid();
    QVERIFY(dead > 0);
    QVERIFY(!Autosave::processRunning(dead));
}

// In a PID namespace a new FinScope may run under the pid of the one that crashed: whether an
// autosave is an orphan is its lock's answer, not the pid's.
void TestAppSessions::orphansAreAutosavesWhoseLockIsFree()
{
    const qint64 ourPid = QCoreApplication::applicationPid();
    const QString name = Autosave::fileName(ourPid);
    QVERIFY(name.startsWith(QStringLiteral("finscope-%1-").arg(ourPid)));
    QVERIFY(name != Autosave::fileName(ourPid));
    QCOMPARE(Autosave::pidOf(name), ourPid);
    QCOMPARE(Autosave::pidOf(QStringLiteral("finscope-12-0123456789abcdef.json")), qint64(12));
    QCOMPARE(Autosave::pidOf(QStringLiteral("finscope-12-0123.json")), qint64(-1));

    QTemporaryDir dir;
    const auto touch = [](const QString &path) {
        QFile file(path);
        return file.open(QIODevice::WriteOnly) && file.write("x") == 1;
    };
    // The crashed run had our pid: its lock file is left, but nobody holds it.
    const QString crashed = dir.filePath(Autosave::fileName(ourPid));
    QVERIFY(touch(crashed));
    QVERIFY(touch(Autosave::lockPath(crashed)));
    // A running FinScope (a lock held here) under a pid that no longer runs.
    const QString live = dir.filePath(Autosave::fileName(deadPid()));
    QLockFile liveLock(Autosave::lockPath(live));
    QVERIFY(liveLock.tryLock(0));
    QVERIFY(touch(live));
    // No lock at all: removed with its autosave, or never taken.
    const QString unlocked = dir.filePath(Autosave::fileName(ourPid));
    QVERIFY(touch(unlocked));
    // The lock of an autosave already recovered: cleared away.
    const QString recovered = dir.filePath(Autosave::fileName(ourPid));
    QVERIFY(touch(Autosave::lockPath(recovered)));

    QVERIFY(Autosave::lockHeld(Autosave::lockPath(live)));
    QVERIFY(!Autosave::lockHeld(Autosave::lockPath(crashed)));
    QStringList orphans = Autosave::orphans(dir.path(), [](qint64) { return true; });
    orphans.sort();
    QStringList expected{crashed, unlocked};
    expected.sort();
    QCOMPARE(orphans, expected);
    QVERIFY(!QFileInfo::exists(Autosave::lockPath(recovered)));
    QVERIFY(QFileInfo::exists(Autosave::lockPath(live)));

    // A new autosave in the same process (the same pid as the crashed run) writes a file of its
    // own and leaves the crashed run's alone.
    Recorder recorder;
    Event e;
    e.kind = EventKind::Listen;
    recorder.record(e);
    Autosave autosave(&recorder, dir.path());
    QString error;
    QVERIFY2(autosave.saveIfChanged(&error), qPrintable(error));
    QVERIFY(autosave.path() != crashed && autosave.path() != unlocked);
    QVERIFY(QFileInfo::exists(autosave.path()));
    QCOMPARE(QFileInfo(crashed).size(), 1);
    QVERIFY(!Autosave::orphans(dir.path()).contains(autosave.path()));
    liveLock.unlock();
    QVERIFY(Autosave::orphans(dir.path()).contains(live));
    autosave.discard();
    QVERIFY(!QFileInfo::exists(Autosave::lockPath(autosave.path())));
}

void TestAppSessions::recoveryOpensReadOnlyAndSaveAsLetsTheAutosaveGo()
{
    // The autosave a crashed FinScope left: a real recording, under a pid that no longer runs.
    const QString autosaveDir = QDir(m_files.path()).filePath(QStringLiteral("autosave"));
    QVERIFY(QDir().mkpath(autosaveDir));
    const QString orphan = QDir(autosaveDir).filePath(Autosave::fileName(deadPid()));
    QVERIFY(QFile::copy(exampleFiles().value(0), orphan));
    const QString damaged = QDir(autosaveDir).filePath(Autosave::fileName(deadPid()));
    {
        QFile file(damaged);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{\"format\": \"finscope-sess");
    }

    MainWindow &w = window();
    QStringList offered;
    w.sessions()->setRecoveryPrompt([&](const QString &path, const Session &) {
        offered.append(path);
        return Recovery::Open;
    });
    const QList<SessionWindow *> opened = w.sessions()->offerRecovery();
    QCOMPARE(offered, QStringList{orphan});
    QCOMPARE(opened.size(), 1);
    SessionWindow *recovered = opened.first();
    QVERIFY(recovered->isRecovered());
    QVERIFY(recovered->windowTitle().contains(QLatin1StringView("recovered, read-only")));
    QVERIFY(recovered->view()->eventModel()->rowCount() > 0);
    // The damaged one is reported and set aside so it is not offered at every start.
    QCOMPARE(m_errors.size(), 1);
    QVERIFY2(m_errors.first().contains(QFileInfo(damaged).fileName()),
             qPrintable(m_errors.first()));
    QVERIFY(!QFileInfo::exists(damaged));
    QVERIFY(QFileInfo::exists(damaged + QStringLiteral(".unreadable")));
    // Still there until saved elsewhere: a second crash now would lose nothing.
    QVERIFY(QFileInfo::exists(orphan));
    QCOMPARE(Autosave::orphans(autosaveDir), QStringList{orphan});

    const QString kept = m_files.filePath(QStringLiteral("recovered.json"));
    w.sessions()->setFilePrompt([&](SessionController::FileRole, const QString &) { return kept; });
    emit recovered->saveAsRequested(recovered);
    QVERIFY(Session::load(kept, nullptr));
    QVERIFY(!QFileInfo::exists(orphan));
    QCOMPARE(recovered->windowTitle(), QStringLiteral("recovered.json — read-only — FinScope"));
    QVERIFY(Autosave::orphans(autosaveDir).isEmpty());
}

void TestAppSessions::recoveryDiscardRemovesTheFile()
{
    const QString autosaveDir = QDir(m_files.path()).filePath(QStringLiteral("autosave"));
    QVERIFY(QDir().mkpath(autosaveDir));
    const QString orphan = QDir(autosaveDir).filePath(Autosave::fileName(deadPid()));
    QVERIFY(QFile::copy(exampleFiles().value(0), orphan));
    MainWindow &w = window();
    w.sessions()->setRecoveryPrompt(
        [](const QString &, const Session &) { return Recovery::Later; });
    QVERIFY(w.sessions()->offerRecovery().isEmpty());
    QVERIFY(QFileInfo::exists(orphan));
    w.sessions()->setRecoveryPrompt(
        [](const QString &, const Session &) { return Recovery::Discard; });
    QVERIFY(w.sessions()->offerRecovery().isEmpty());
    QVERIFY(!QFileInfo::exists(orphan));
    QVERIFY(w.sessions()->sessionWindows().isEmpty());
}

void TestAppSessions::listenerOnlyAutosaveIsNotOffered()
{
    const QString autosaveDir = QDir(m_files.path()).filePath(QStringLiteral("autosave"));
    QVERIFY(QDir().mkpath(autosaveDir));
    const QString orphan = QDir(autosaveDir).filePath(Autosave::fileName(deadPid()));
    {
        // What a FinScope killed before anything connected leaves: its listener's start-up.
        MainWindow started(nullptr, m_files.filePath(QStringLiteral("other")));
        QVERIFY(started.startDemo());
        QVERIFY(started.workbench()->recorder()->session().save(orphan, nullptr));
    }
    MainWindow &w = window();
    int asked = 0;
    w.sessions()->setRecoveryPrompt([&](const QString &, const Session &) {
        ++asked;
        return Recovery::Open;
    });
    QVERIFY(w.sessions()->offerRecovery().isEmpty());
    QCOMPARE(asked, 0);
    QVERIFY(!QFileInfo::exists(orphan));
    QVERIFY(m_errors.isEmpty());
}

void TestAppSessions::killedAppLeavesAValidAutosave()
{
    QTemporaryDir home;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("HOME"), home.path());
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), home.filePath(QStringLiteral("config")));
    env.insert(QStringLiteral("XDG_DATA_HOME"), home.filePath(QStringLiteral("data")));
    env.insert(QStringLiteral("XDG_CACHE_HOME"), home.filePath(QStringLiteral("cache")));
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    QProcess app;
    app.setProcessEnvironment(env);
    app.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    app.start(QStringLiteral(FINSCOPE_APP), {});
    QVERIFY(app.waitForStarted());
    const QDir autosaves(home.filePath(QStringLiteral("data/FinScope/finscope/autosave")));
    const QString pattern = QStringLiteral("finscope-%1-*.json").arg(app.processId());
    QTRY_VERIFY_WITH_TIMEOUT(autosaves.entryList({pattern}, QDir::Files).size() == 1, 20000);
    const QString path = autosaves.absoluteFilePath(autosaves.entryList({pattern}, QDir::Files)[0]);

    // The window opens listening: the first autosave holds the listen event, and says where.
    const auto first = waitForSession(
        path,
        [](const Session &s) { return countKind(s.events, EventKind::Listen, Side::Server) == 1; },
        20000);
    QVERIFY2(first, qPrintable(path));
    QString listenText;
    for (const Event &e : first->events.events()) {
        if (e.kind == EventKind::Listen)
            listenText = first->events.string(e.text);
    }
    const quint16 port = listenText.section(u':', -1).toUShort();
    QVERIFY2(port > 0, qPrintable(listenText));

    // A peer of our own sends a request and half-closes; the app records it on its server lane.
    QTcpSocket peer;
    peer.connectToHost(QHostAddress::LocalHost, port);
    QVERIFY(peer.waitForConnected(5000));
    peer.write("request before the crash");
    QVERIFY(peer.waitForBytesWritten(5000));
    peer.disconnectFromHost();
    const auto second = waitForSession(
        path,
        [](const Session &s) { return countKind(s.events, EventKind::Eof, Side::Server) == 1; },
        20000);
    QVERIFY(second);
    QVERIFY(Autosave::orphans(autosaves.path()).isEmpty()); // its process holds the lock

    app.kill(); // SIGKILL: no clean quit, nothing removes the file
    QVERIFY(app.waitForFinished(5000));
    QCOMPARE(app.exitStatus(), QProcess::CrashExit);
    QString error;
    const auto left = Session::load(path, &error);
    QVERIFY2(left, qPrintable(error));
    QCOMPARE(countKind(left->events, EventKind::Accept, Side::Server), qsizetype(1));
    const PayloadStream *received
        = left->events.payloadStream(Side::Server, 1, Direction::Received);
    QVERIFY(received);
    QCOMPARE(received->data, QByteArray("request before the crash"));
    // Its process is gone, so the next start offers it.
    QCOMPARE(Autosave::orphans(QFileInfo(path).absolutePath()), QStringList{path});
}

void TestAppSessions::exportsPngAndSvg()
{
    const QString reset = QStringLiteral(FINSCOPE_EXAMPLES "/reset-on-close-client.json");
    MainWindow &w = window();
    SessionWindow *opened = w.sessions()->openSession(reset);
    QVERIFY(opened);
    const TimelineWidget &timeline = *opened->view()->timeline();
    // Zoomed in on screen: the export still shows the whole session.
    opened->view()->timeline()->zoomIn();
    opened->view()->timeline()->zoomIn();

    const QString png = m_files.filePath(QStringLiteral("timeline.png"));
    QVERIFY(w.sessions()->exportTimeline(opened->view(), false, png));
    QImage image(png);
    QVERIFY(!image.isNull());
    QCOMPARE(image.size(), timeline.painter().sessionSize(TimelineExport::DefaultWidth));
    QCOMPARE(image.width(), 1600);
    QVERIFY(image.height() > 60);
    image = image.convertToFormat(QImage::Format_RGB32);
    QVERIFY2(hasColor(image, qRgb(0x1e, 0x88, 0xe5)), "no send bar");
    QVERIFY2(hasColor(image, qRgb(0x8b, 0x00, 0x00)), "no RST diamond");

    // finscope-cli export, with no widgets, draws the same picture.
    const QString cliPng = m_files.filePath(QStringLiteral("cli.png"));
    QProcess cli;
    cli.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    cli.start(
        QStringLiteral(FINSCOPE_CLI),
        {QStringLiteral("export"), reset, QStringLiteral("--to"), QStringLiteral("png"), cliPng});
    QVERIFY(cli.waitForFinished(30000));
    QCOMPARE(cli.exitCode(), 0);
    QCOMPARE(QImage(cliPng).convertToFormat(QImage::Format_RGB32), image);

    const QString svg = m_files.filePath(QStringLiteral("timeline.svg"));
    QVERIFY(w.sessions()->exportTimeline(opened->view(), true, svg));
    QFile file(svg);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QXmlStreamReader xml(&file);
    QStringList texts;
    bool svgRoot = false;
    while (!xml.atEnd()) {
        if (xml.readNext() == QXmlStreamReader::StartElement) {
            svgRoot = svgRoot || xml.name() == QLatin1StringView("svg");
            if (xml.name() == QLatin1StringView("text"))
                texts.append(xml.readElementText(QXmlStreamReader::IncludeChildElements).trimmed());
        }
    }
    QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
    QVERIFY(svgRoot);
    QVERIFY2(texts.contains(QStringLiteral("client 1")), qPrintable(texts.join(u'|')));
    QVERIFY2(texts.contains(QStringLiteral("RST")), qPrintable(texts.join(u'|')));

    QVERIFY(!w.sessions()->exportTimeline(
        opened->view(), true, m_files.filePath(QStringLiteral("missing/dir/t.svg"))));
    QCOMPARE(m_errors.size(), 1);
    QVERIFY2(m_errors.first().contains(QLatin1StringView("missing/dir/t.svg")),
             qPrintable(m_errors.first()));
}

void TestAppSessions::examplesLoad()
{
    const QStringList files = exampleFiles();
    QVERIFY(files.size() >= 4);
    for (const QString &path : files) {
        QString error;
        const auto session = Session::load(path, &error);
        QVERIFY2(session, qPrintable(error));
        QVERIFY2(session->events.size() > 3, qPrintable(path));
    }
}

void TestAppSessions::examplesOpenInTheApp()
{
    MainWindow &w = window();
    for (const QString &path : exampleFiles()) {
        SessionWindow *opened = w.sessions()->openSession(path);
        QVERIFY2(opened, qPrintable(m_errors.join('\n')));
        // A lane for each recorded end: one in the per-end files, two in the both-ends ones.
        QString error;
        const auto session = Session::load(path, &error);
        QVERIFY2(session, qPrintable(error));
        QCOMPARE(opened->view()->timeline()->model()->lanes().size(),
                 size_t(session->endpoints.size()));
        QVERIFY(opened->view()->eventModel()->rowCount() > 3);
    }
}

QTEST_MAIN(TestAppSessions)
#include "tst_appsessions.moc"
