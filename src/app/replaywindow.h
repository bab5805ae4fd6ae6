#pragma once

// Replays a saved session on live sockets and compares the new run with the recording: the two
// timelines one above the other, the lanes that differ marked on both, and the differences in
// words below. Both ends in this process on a fresh loopback port, the recorded client against a
// live server, or the recorded server for a live client; the recorded gaps kept (scaled by a
// speed), or one action at a time with Next. Where the replay will connect is shown before
// anything connects. Opening this window connects nowhere: Start does.

#include "engine/run/replayer.h"
#include "engine/session/session.h"

#include <QMainWindow>
#include <QStringList>

#include <memory>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;

namespace finscope {

class SessionView;

class ReplayWindow : public QMainWindow
{
    Q_OBJECT
public:
    ReplayWindow(Session recording, const QString &path, QWidget *parent = nullptr);
    ~ReplayWindow() override;

    const Session &recording() const { return m_recording; }
    QString path() const { return m_path; }
    Replayer *replayer() const { return m_replayer.get(); }

    // The options, as the user sets them.
    QComboBox *sideCombo() const { return m_side; }
    QLineEdit *targetEdit() const { return m_target; }
    QDoubleSpinBox *speedSpin() const { return m_speed; }
    QCheckBox *stepCheck() const { return m_step; }
    // Recorded send-files read the files they name here (ticking it asks first, listing them);
    // unticked they send the bytes the recording holds. Disabled when the session names none.
    QCheckBox *filesCheck() const { return m_files; }
    // How the replay is compared; changing either after a replay compares it again.
    QCheckBox *payloadCheck() const { return m_payload; }
    QCheckBox *strictCheck() const { return m_strict; }
    QPushButton *startButton() const { return m_start; }
    QPushButton *nextButton() const { return m_next; }
    QPushButton *stopButton() const { return m_stop; }

    SessionView *recordingView() const { return m_recordingView; }
    SessionView *replayView() const { return m_replayView; }
    // "replaying client 1 against 127.0.0.1:5555", set before anything connects; before a
    // replay, where the recording went and which files it names.
    QString targetText() const;
    // The pending action while stepping: "next: client 1 shutdown wr".
    QString pendingText() const;
    // After the replay: "Equivalent to the recording" or "Differs from the recording: ...".
    QString verdictText() const;
    QListWidget *differenceList() const { return m_differences; }
    bool hasResult() const { return m_hasResult; }
    bool isEquivalent() const { return m_equivalent; }

public slots:
    // Prepares and starts a replay with the current options; false (and the reason shown) when
    // it cannot start: a bad address, a recording without actions for the chosen side.
    bool start();
    void next();
    // Ends the replay now: every end still open is closed, and what ran is compared.
    void stop();

signals:
    void saveRequested(const finscope::Session &session, const QString &suggestedName);
    void exportRequested(finscope::SessionView *view, bool svg);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createMenus();
    void showRecorded();
    void confirmFiles(bool checked);
    bool confirmRemote(const Replayer &replayer);
    bool confirm(const QString &title, const QString &text);
    void updateButtons();
    void linkReplayPeers();
    void handleFinished(bool ok);
    void compare(const QString &how);
    void showComparison();
    void showVerdict(const QString &text, bool good);

    Session m_recording;
    QString m_path;
    std::unique_ptr<Replayer> m_replayer;
    bool m_hasResult = false;
    bool m_equivalent = false;
    bool m_stopping = false;
    QString m_how; // "stopped", or empty for a replay that ran to its end

    QComboBox *m_side;
    QLineEdit *m_target;
    QLineEdit *m_listen;
    QDoubleSpinBox *m_speed;
    QCheckBox *m_step;
    QCheckBox *m_files;
    QStringList m_filePaths; // every file the recording's send-files name
    QCheckBox *m_payload;
    QCheckBox *m_strict;
    QPushButton *m_start;
    QPushButton *m_next;
    QPushButton *m_stop;
    QLabel *m_targetLabel;
    QLabel *m_pending;
    QLabel *m_verdict;
    QListWidget *m_differences;
    SessionView *m_recordingView;
    SessionView *m_replayView;
};

} // namespace finscope
