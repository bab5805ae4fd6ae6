#pragma once

// Turns SIGINT, SIGTERM and SIGHUP into caught(), so a run ends from the event loop, where it can
// close its sockets and save what it recorded. The handler only write()s the signal's number to a
// pipe (async-signal-safe) that a QSocketNotifier reads. SIGPIPE is ignored while the watch is
// installed: a reader of standard output that goes away (`| head -1`) ends the printing
// (StandardOutput), never the run; sockets send with MSG_NOSIGNAL anyway.

#include <QObject>
#include <QString>

class QSocketNotifier;

namespace finscope {

class SignalWatch : public QObject
{
    Q_OBJECT
public:
    explicit SignalWatch(QObject *parent = nullptr);
    // Puts back the default handlers.
    ~SignalWatch() override;

    // One watch at a time in a process. False and *error when the pipe cannot be made.
    bool install(QString *error);

    // 130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP: what a shell reports for a process the
    // signal ended.
    static int exitCode(int signo) { return 128 + signo; }
    // "SIGINT"
    static QString name(int signo);

signals:
    // Once per signal kind: a second one ends the process at once, as it would without the watch
    // (a save that hangs on a full disk can still be interrupted).
    void caught(int signo);

private:
    void handleReadable();

    int m_readFd = -1;
    QSocketNotifier *m_notifier = nullptr;
};

} // namespace finscope
