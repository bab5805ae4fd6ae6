#pragma once

// Saves the live session every few seconds while it changes, to
// <AppDataLocation>/autosave/finscope-<pid>.json, so a crash or a kill loses at most that much.
// A clean quit removes the file; a file whose process is gone is an orphan to offer for recovery.

#include <QObject>
#include <QString>
#include <QTimer>

#include <functional>

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
    static QString fileName(qint64 pid);
    // The pid in an autosave file name, or -1 when the name is not one.
    static qint64 pidOf(const QString &fileName);
    // Autosave files in the directory whose process is no longer running, oldest first.
    static QStringList orphans(const QString &directory,
                               const std::function<bool(qint64 pid)> &isRunning = processRunning);
    static bool processRunning(qint64 pid);

signals:
    // Reported once per distinct failure, not every few seconds.
    void failed(const QString &error);

private:
    void tick();

    const Recorder *m_recorder;
    QString m_directory;
    QString m_path;
    QTimer m_timer;
    int m_interval = DefaultIntervalMs;
    qsizetype m_savedEvents = 0;
    qsizetype m_savedActions = 0;
    bool m_written = false;
    QString m_lastError;
};

} // namespace finscope
