#pragma once

// Saves the live session every few seconds while it changes, to
// <AppDataLocation>/autosave/finscope-<pid>-<random>.json, so a crash or a kill loses at most that
// much. The file is held with a QLockFile beside it (<file>.lock) while its FinScope runs; a clean
// quit removes both. A file whose lock nobody holds is an orphan to offer for recovery. The pid
// alone cannot tell: in a PID namespace (a container, Flatpak) a new FinScope often has the pid
// the crashed one had, and took its autosave for its own.

#include <QLockFile>

#include <QObject>
#include <QString>
#include <QTimer>

#include <functional>
#include <memory>

namespace finscope {

class Recorder;

class Autosave : public QObject
{
    Q_OBJECT
public:
    static constexpr int DefaultIntervalMs = 5000;

    Autosave(const Recorder *recorder, const QString &directory, QObject *parent = nullptr);

    QString path() const { return m_path; }
    QString directory() const { return m_directory; }
    void setInterval(int ms)
    {
        m_interval = ms;
        m_timer.setInterval(ms);
    }
    void start() { m_timer.start(); }
    void stop() { m_timer.stop(); }
    // True when the recorder holds something the autosave file does not.
    bool isStale() const;
    // Writes the file atomically if it is stale. False with *error when the write failed.
    bool saveIfChanged(QString *error);
    // Stops and deletes the file: on a clean quit nothing is left to recover.
    void discard();

    // <AppDataLocation>/autosave
    static QString defaultDirectory();
    // A name no other run uses: the pid and 64 random bits.
    static QString fileName(qint64 pid);
    // The pid in an autosave file name, or -1 when the name is not one.
    static qint64 pidOf(const QString &fileName);
    // Autosave files in the directory that no running FinScope holds, oldest first: their lock
    // is free (or gone). Files named by pid alone, from before the locks, are orphans when that
    // process is no longer running.
    static QStringList orphans(const QString &directory,
                               const std::function<bool(qint64 pid)> &isRunning = processRunning);
    static bool processRunning(qint64 pid);
    // Whether a running process holds the lock file: the kernel's lock on it, which a crash
    // releases, and not the pid written in it, which a new process may have again.
    static bool lockHeld(const QString &lockPath);
    static QString lockPath(const QString &autosavePath);

signals:
    // Reported once per distinct failure, not every few seconds.
    void failed(const QString &error);

private:
    void tick();

    const Recorder *m_recorder;
    QString m_directory;
    QString m_path;
    QTimer m_timer;
    std::unique_ptr<QLockFile> m_lock; // taken before the first write
    int m_interval = DefaultIntervalMs;
    qsizetype m_savedEvents = 0;
    qsizetype m_savedActions = 0;
    bool m_written = false;
    QString m_lastError;
};

} // namespace finscope
