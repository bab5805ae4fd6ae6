// OutputFile, the one writer of sessions and exports: regular files replaced atomically, pipes
// written through (not replaced), failures named in one sentence with the old file kept.

#include "engine/core/outputfile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <csignal>

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace finscope;

class TestOutputFile : public QObject
{
    Q_OBJECT

private slots:
    void replacesRegularFile();
    void newFileInMissingFolderFails();
    void failedWriteIsNamedAndKeepsOldFile();
    void fullDeviceIsNamed_data();
    void fullDeviceIsNamed();
    void fileSizeLimitKeepsOldFile();
    void fifoIsWrittenThrough();
    void streamsInPieces();
    void checkAnswersBeforeWriting_data();
    void checkAnswersBeforeWriting();
};

namespace {

QByteArray contents(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("<unreadable>");
}

} // namespace

void TestOutputFile::replacesRegularFile()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("s.json"));
    QString error;
    QVERIFY2(OutputFile::write(path, "first", &error), qPrintable(error));
    QVERIFY2(OutputFile::write(path, "second", &error), qPrintable(error));
    QCOMPARE(contents(path), QByteArray("second"));
    QVERIFY(QFileInfo(path).isFile());
    // No temporary left beside it.
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), 1);
}

void TestOutputFile::newFileInMissingFolderFails()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("no/such/folder/s.json"));
    OutputFile file(path);
    file.setWhat(QStringLiteral("session"));
    QString error;
    QVERIFY(!file.open(&error));
    QVERIFY2(error.startsWith(QStringLiteral("cannot write session '%1': ").arg(path)),
             qPrintable(error));
    QVERIFY(!QFileInfo::exists(path));
}

void TestOutputFile::failedWriteIsNamedAndKeepsOldFile()
{
    if (!QFileInfo::exists(QStringLiteral("/dev/full")))
        QSKIP("no /dev/full to fill");
    // A device that refuses the bytes: the failure is named, not swallowed.
    OutputFile full(QStringLiteral("/dev/full"));
    QString error;
    QVERIFY2(full.open(&error), qPrintable(error));
    full.write(QByteArray(1 << 16, 'x'));
    QVERIFY(!full.commit(&error));
    QVERIFY2(error.startsWith(QLatin1StringView("cannot write '/dev/full': ")), qPrintable(error));

    // A writer that never commits (a crash, a failed stream) leaves the old file whole.
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("keep.json"));
    QVERIFY(OutputFile::write(path, "old", &error));
    {
        OutputFile file(path);
        QVERIFY(file.open(&error));
        QVERIFY(file.write("new, half of it"));
    }
    QCOMPARE(contents(path), QByteArray("old"));
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), 1);
}

void TestOutputFile::fullDeviceIsNamed_data()
{
    QTest::addColumn<qsizetype>("size");
    QTest::newRow("small write, failing at commit's flush") << qsizetype(100);
    QTest::newRow("large write, failing at once") << qsizetype(1 << 20);
}

// /dev/full answers every write with ENOSPC, as a full disk does: the sentence says so, in words,
// rather than Qt's "Unknown error".
void TestOutputFile::fullDeviceIsNamed()
{
    QFETCH(qsizetype, size);
    if (!QFileInfo::exists(QStringLiteral("/dev/full")))
        QSKIP("no /dev/full to fill");
    OutputFile full(QStringLiteral("/dev/full"));
    full.setWhat(QStringLiteral("session"));
    QString error;
    QVERIFY2(full.open(&error), qPrintable(error));
    full.write(QByteArray(size, 'x'));
    QVERIFY(!full.commit(&error));
    QCOMPARE(error,
             QStringLiteral(
                 "cannot write session '/dev/full': no space left on device (the disk is full)"));
}

// A disk that fills while a session is saved: writes past RLIMIT_FSIZE fail with EFBIG, as they
// would with ENOSPC, without root or a small file system. The old file must stay whole and the
// sentence must name the cause.
void TestOutputFile::fileSizeLimitKeepsOldFile()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("s.json"));
    QString error;
    QVERIFY(OutputFile::write(path, "the old session", &error));

    struct rlimit saved = {};
    QVERIFY(::getrlimit(RLIMIT_FSIZE, &saved) == 0);
    const auto oldHandler = std::signal(SIGXFSZ, SIG_IGN);
    struct rlimit small = saved;
    small.rlim_cur = 4096;
    QVERIFY(::setrlimit(RLIMIT_FSIZE, &small) == 0);
    OutputFile file(path);
    file.setWhat(QStringLiteral("session"));
    bool ok = file.open(&error);
    if (ok) {
        for (int i = 0; i < 64; ++i)
            file.write(QByteArray(1024, 'x'));
        ok = file.commit(&error);
    }
    ::setrlimit(RLIMIT_FSIZE, &saved);
    std::signal(SIGXFSZ, oldHandler);

    QVERIFY(!ok);
    QVERIFY2(error.startsWith(QStringLiteral("cannot write session '%1': ").arg(path)),
             qPrintable(error));
    QVERIFY2(!error.contains(QLatin1StringView("Unknown error")), qPrintable(error));
    QCOMPARE(contents(path), QByteArray("the old session"));
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), 1);
}

void TestOutputFile::fifoIsWrittenThrough()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("pipe"));
    QVERIFY(::mkfifo(QFile::encodeName(path).constData(), 0600) == 0);
    QByteArray read;
    QThread *reader = QThread::create([&read, path] {
        QFile f(path);
        if (f.open(QIODevice::ReadOnly))
            read = f.readAll();
    });
    reader->start();
    QString error;
    QVERIFY2(OutputFile::write(path, "through the pipe", &error), qPrintable(error));
    QVERIFY(reader->wait(5000));
    delete reader;
    QCOMPARE(read, QByteArray("through the pipe"));
    struct stat st = {};
    QVERIFY(::stat(QFile::encodeName(path).constData(), &st) == 0);
    QVERIFY(S_ISFIFO(st.st_mode)); // still a pipe, not replaced by a regular file
}

void TestOutputFile::streamsInPieces()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("big"));
    OutputFile file(path);
    QString error;
    QVERIFY(file.open(&error));
    QByteArray all;
    for (int i = 0; i < 100; ++i) {
        const QByteArray piece = QByteArray::number(i) + '\n';
        QVERIFY(file.write(piece));
        all += piece;
    }
    // Nothing shows at the path before commit.
    QVERIFY(!QFileInfo::exists(path));
    QVERIFY2(file.commit(&error), qPrintable(error));
    QCOMPARE(contents(path), all);
}

void TestOutputFile::checkAnswersBeforeWriting_data()
{
    QTest::addColumn<QString>("name");    // inside a fresh temporary folder
    QTest::addColumn<QString>("problem"); // empty: the check passes
    QTest::newRow("new file") << "s.json"
                              << "";
    QTest::newRow("existing file") << "existing.json"
                                   << "";
    QTest::newRow("standard output") << "-"
                                     << "";
    QTest::newRow("fifo") << "pipe"
                          << "";
    QTest::newRow("missing folder") << "no/such/s.json"
                                    << "does not exist";
    QTest::newRow("a folder") << "sub"
                              << "it is a folder";
    QTest::newRow("inside a file") << "existing.json/s.json"
                                   << "is not a folder";
    if (::geteuid() != 0) // root writes anywhere
        QTest::newRow("read-only folder") << "readonly/s.json"
                                          << "is not writable";
}

// The question a command asks before a long run, so that the recording is not lost at the end:
// answered without creating anything.
void TestOutputFile::checkAnswersBeforeWriting()
{
    QFETCH(QString, name);
    QFETCH(QString, problem);
    QTemporaryDir dir;
    QString error;
    QVERIFY(OutputFile::write(dir.filePath(QStringLiteral("existing.json")), "old", &error));
    QVERIFY(QDir(dir.path()).mkdir(QStringLiteral("sub")));
    QVERIFY(QDir(dir.path()).mkdir(QStringLiteral("readonly")));
    QVERIFY(QFile::setPermissions(dir.filePath(QStringLiteral("readonly")),
                                  QFileDevice::ReadOwner | QFileDevice::ExeOwner));
    QVERIFY(::mkfifo(QFile::encodeName(dir.filePath(QStringLiteral("pipe"))).constData(), 0600)
            == 0);
    const QStringList before = QDir(dir.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot);
    const QString path = name == QLatin1StringView("-") ? name : dir.filePath(name);
    OutputFile file(path);
    file.setWhat(QStringLiteral("session"));
    const bool ok = file.check(&error);
    if (problem.isEmpty()) {
        QVERIFY2(ok, qPrintable(error));
    } else {
        QVERIFY(!ok);
        QVERIFY2(error.startsWith(QStringLiteral("cannot write session '%1': ").arg(path)),
                 qPrintable(error));
        QVERIFY2(error.contains(problem), qPrintable(error));
    }
    QCOMPARE(QDir(dir.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot), before);
    QCOMPARE(contents(dir.filePath(QStringLiteral("existing.json"))), QByteArray("old"));
}

QTEST_GUILESS_MAIN(TestOutputFile)
#include "tst_outputfile.moc"
