#pragma once

// finscope-cli replay FILE: re-runs a recorded session on live sockets (Replayer), prints where it
// goes and every event as it happens, then how the replay compares with the recording.

#include "engine/core/hostport.h"
#include "engine/run/replayer.h"
#include "engine/run/settler.h"
#include "engine/session/sessioncomparison.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QSocketNotifier>
#include <QStringList>
#include <QTextStream>
#include <QTimer>

#include <memory>
#include <optional>

namespace finscope {

class CommandParser;

struct ReplayOptions
{
    QString file;
    Replayer::Mode mode = Replayer::Mode::Auto;
    std::optional<HostPort> target;
    std::optional<HostPort> listen;
    bool v6only = false; // listening on :: takes IPv6 clients only
    double speed = 1.0;  // 0: no waiting between actions
    bool step = false;
    bool allowFiles = false; // a recorded send-file reads the file here, not the recorded bytes
    QString savePath;
    qint64 timeoutMs = 30000;
    int settleMs = Settler::DefaultBoundMs; // --settle: the bound on waiting for closed ends
    SessionComparison::Options compare;

    // Reads the arguments after "replay" with parser, which answers --help (nullopt,
    // parser.helpRequested()) from the same options.
    static std::optional<ReplayOptions>
    parse(CommandParser &parser, const QStringList &args, QString *error);
};

class ReplayCommand : public QObject
{
    Q_OBJECT
public:
    ReplayCommand(QTextStream &out, QTextStream &err, QObject *parent = nullptr);
    ~ReplayCommand() override;

    // Returns an exit code at once when the replay cannot start; otherwise done() follows.
    std::optional<int> start(const ReplayOptions &options);
    // Ends the replay now (a signal): every open end is closed, what was recorded is saved, no
    // comparison is made, and done(exitCode) follows.
    void interrupt(int exitCode);

signals:
    void done(int exitCode);

private:
    void printTarget();
    void printFiles();
    void printEvent(qsizetype index);
    void handlePending(Side side, quint32 conn, const QString &action);
    void handleStdin();
    void handleFinished(bool ok);
    void handleTimeout();
    void finish(int exitCode);
    void printError(const QString &sentence);

    QTextStream &m_out;
    QTextStream &m_err;
    ReplayOptions m_options;
    std::optional<Session> m_recording;
    std::unique_ptr<Replayer> m_replayer;
    QTimer m_timeout;
    Settler m_settler;
    QElapsedTimer m_clock; // from the start of the command: --timeout counts planning too
    QPointer<QSocketNotifier> m_stdinNotifier;
    bool m_started = false; // the replay started: planning left time before the timeout
    bool m_timedOut = false;
    bool m_finished = false;
    int m_interruptCode = 0; // the exit code of the signal that ended the replay, or 0
};

} // namespace finscope
