#include "autosave.h"

#include "engine/run/recorder.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QStandardPaths>

#include <algorithm>
#include <cerrno>
#include <csignal>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace finscope {

Autosave::Autosave(const Recorder *recorder, const QString &directory, QObject *parent)
    : QObject(parent)
    , m_recorder(recorder)
    , m_directory(directory)
    , m_path(QDir(directory).filePath(fileName(QCoreApplication::applicationPid())))
{
    m_timer.setInterval(m_interval);
    connect(&m_timer, &QTimer::timeout, this, &Autosave::tick);
}

bool Autosave::isStale() const
{
    const Session &session = m_recorder->session();
    return !m_written || session.events.size() != m_savedEvents
           || session.actions.size() != m_savedActions;
}

bool Autosave::saveIfChanged(QString *error)
{
    if (!isStale())
        return true;
    const Session &session = m_recorder->session();
    if (session.events.isEmpty())
        return true; // nothing to lose yet
    if (!QDir().mkpath(m_directory)) {
        *error = tr("cannot create the autosave folder '%1'").arg(m_directory);
        return false;
    }
    if (!m_lock) {
        // The name is this run's alone; a lock that cannot be taken (a name that repeated, a
        // read-only folder) means another name, or no autosave rather than someone else's.
        for (int attempt = 0; attempt < 3 && !m_lock; ++attempt) {
            auto lock = std::make_unique<QLockFile>(lockPath(m_path));
            lock->setStaleLockTime(0);
            if (!QFileInfo::exists(m_path) && lock->tryLock(0))
                m_lock = std::move(lock);
            else
                m_path = QDir(m_directory).filePath(fileName(QCoreApplication::applicationPid()));
        }
        if (!m_lock) {
            *error = tr("cannot lock an autosave file in '%1'").arg(m_directory);
            return false;
        }
    }
    if (!session.save(m_path, error))
        return false;
    m_written = true;
    m_savedEvents = session.events.size();
    m_savedActions = session.actions.size();
    return true;
}

void Autosave::discard()
{
    m_timer.stop();
    QFile::remove(m_path);
    m_written = false;
    if (m_lock) {
        m_lock->unlock(); // removes the lock file
        m_lock.reset();
    }
}

void Autosave::tick()
{
    QString error;
    QElapsedTimer took;
    took.start();
    const bool saved = saveIfChanged(&error);
    // Saving runs on the UI thread: a session so big that a save is slow is saved less often, so
    // the window never spends more than a tenth of its time autosaving.
    m_timer.setInterval(int(std::clamp<qint64>(took.elapsed() * 10, m_interval, 300'000)));
    if (saved) {
        m_lastError.clear();
        return;
    }
    if (error != m_lastError) {
        m_lastError = error;
        emit failed(error);
    }
}

QString Autosave::defaultDirectory()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation))
        .filePath(QStringLiteral("autosave"));
}

QString Autosave::fileName(qint64 pid)
{
    return QStringLiteral("finscope-%1-%2.json")
        .arg(pid)
        .arg(QRandomGenerator::system()->generate64(), 16, 16, QLatin1Char('0'));
}

qint64 Autosave::pidOf(const QString &fileName)
{
    static const QRegularExpression pattern(
        QStringLiteral("^finscope-([1-9][0-9]{0,9})(-[0-9a-f]{16})?\\.json$"));
    const QRegularExpressionMatch match = pattern.match(fileName);
    return match.hasMatch() ? match.captured(1).toLongLong() : -1;
}

QString Autosave::lockPath(const QString &autosavePath)
{
    return autosavePath + QStringLiteral(".lock");
}

bool Autosave::lockHeld(const QString &lockPath)
{
    // QLockFile holds an flock() on its file while locked. Taking it here, on a new open file,
    // fails while any process (this one included) holds it, and succeeds once the holder is gone.
    const int fd = ::open(QFile::encodeName(lockPath).constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false; // no lock file: nobody holds it
    const bool held = ::flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
    ::close(fd); // releases the lock if it was taken
    return held;
}

QStringList Autosave::orphans(const QString &directory,
                              const std::function<bool(qint64)> &isRunning)
{
    QStringList out;
    const QFileInfoList files = QDir(directory).entryInfoList(
        {QStringLiteral("finscope-*.json")}, QDir::Files, QDir::Time | QDir::Reversed);
    for (const QFileInfo &file : files) {
        const qint64 pid = pidOf(file.fileName());
        if (pid <= 0)
            continue;
        const bool unique = file.fileName().count(u'-') == 2;
        const bool held = unique ? lockHeld(lockPath(file.absoluteFilePath())) : isRunning(pid);
        if (!held)
            out.append(file.absoluteFilePath());
    }
    // The locks of autosaves that were recovered, discarded or set aside after a crash.
    const QStringList locks
        = QDir(directory).entryList({QStringLiteral("finscope-*.lock")}, QDir::Files);
    for (const QString &name : locks) {
        const QString lock = QDir(directory).filePath(name);
        if (!QFileInfo::exists(lock.chopped(5)) && !lockHeld(lock))
            QFile::remove(lock);
    }
    return out;
}

bool Autosave::processRunning(qint64 pid)
{
    // Signal 0 checks existence only; EPERM means it exists but belongs to someone else.
    return pid > 0 && (::kill(pid_t(pid), 0) == 0 || errno == EPERM);
}

} // namespace finscope
