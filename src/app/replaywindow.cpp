#include "replaywindow.h"

#include "engine/core/action.h"
#include "engine/core/hostport.h"
#include "engine/session/sessioncomparison.h"
#include "render/timelinestyle.h"
#include "sessionview.h"
#include "timelinewidget.h"

#include <QCheckBox>
#include <QCloseEvent>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QVBoxLayout>

namespace finscope {

namespace {

QWidget *titled(const QString &title, QWidget *content, QWidget *parent)
{
    auto *box = new QWidget(parent);
    auto *layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    auto *label = new QLabel(title, box);
    label->setMargin(4);
    layout->addWidget(label);
    layout->addWidget(content, 1);
    return box;
}

// One a line, the first few: a session can name thousands of targets or files.
QString firstFew(QStringList items)
{
    constexpr qsizetype Shown = 12;
    items.removeDuplicates();
    const qsizetype more = items.size() - Shown;
    if (more > 0) {
        items.resize(Shown);
        items << ReplayWindow::tr("… and %1 more").arg(more);
    }
    return items.join(u'\n');
}

} // namespace

ReplayWindow::ReplayWindow(Session recording, const QString &path, QWidget *parent)
    : QMainWindow(parent)
    , m_recording(std::move(recording))
    , m_path(path)
    , m_side(new QComboBox(this))
    , m_target(new QLineEdit(this))
    , m_listen(new QLineEdit(this))
    , m_speed(new QDoubleSpinBox(this))
    , m_step(new QCheckBox(tr("One action at a time (Next)"), this))
    , m_files(new QCheckBox(tr("Read the files the session names (send-file)"), this))
    , m_payload(new QCheckBox(tr("Compare the bytes too"), this))
    , m_strict(new QCheckBox(tr("A raced close order is a difference"), this))
    , m_start(new QPushButton(tr("Start replay"), this))
    , m_next(new QPushButton(tr("Next"), this))
    , m_stop(new QPushButton(tr("Stop"), this))
    , m_targetLabel(new QLabel(this))
    , m_pending(new QLabel(this))
    , m_verdict(new QLabel(this))
    , m_differences(new QListWidget(this))
    , m_recordingView(new SessionView(this))
    , m_replayView(new SessionView(this))
{
    setAttribute(Qt::WA_DeleteOnClose);
    setWindowIcon(QIcon(QStringLiteral(":/icons/finscope.svg")));
    setWindowTitle(tr("%1 — replay — FinScope").arg(QFileInfo(path).fileName()));

    const bool client = m_recording.hasActions(Side::Client);
    const bool server = m_recording.hasActions(Side::Server);
    m_side->addItem(tr("Both ends here, on a fresh loopback port"),
                    QVariant::fromValue(int(Replayer::Mode::Both)));
    m_side->addItem(tr("The client, against a live server"),
                    QVariant::fromValue(int(Replayer::Mode::Client)));
    m_side->addItem(tr("The server, for a live client"),
                    QVariant::fromValue(int(Replayer::Mode::Server)));
    m_side->setCurrentIndex(client && server ? 0 : client ? 1 : 2);
    m_side->setToolTip(tr("Which recorded ends run again. Both: client and server in FinScope. "
                          "Client: connects to the target. Server: listens for a live client."));
    const QString target = m_recording.recordedTarget(Side::Client, 1);
    m_target->setPlaceholderText(target.isEmpty() ? tr("host:port") : target);
    m_target->setToolTip(tr("Where the replayed client connects; empty for the recorded peer (%1)")
                             .arg(target.isEmpty() ? tr("none recorded") : target));
    m_listen->setPlaceholderText(QStringLiteral("127.0.0.1:0"));
    m_listen->setToolTip(tr("Where the replayed server listens; empty for 127.0.0.1 at a port "
                            "the OS picks. Another address exposes the port beyond this machine."));
    m_speed->setRange(0, 100);
    m_speed->setDecimals(1);
    m_speed->setSingleStep(0.5);
    m_speed->setValue(1);
    m_speed->setSpecialValueText(tr("no gaps"));
    m_speed->setSuffix(QStringLiteral("×"));
    m_speed->setToolTip(tr("1× keeps the recorded gaps between actions, 2× halves them; the "
                           "lowest setting keeps only the waiting the actions do themselves"));
    m_payload->setToolTip(tr("Also compare the bytes of each stream, as far as both sessions "
                             "kept them, and name the first offset where they differ"));
    m_strict->setToolTip(tr("When both FINs went within %1 ms of each other either can arrive "
                            "first, so a flipped close order is listed as a race. Checked, it "
                            "counts as a difference.")
                             .arg(SessionComparison::RaceWindowNs / 1'000'000));
    m_start->setToolTip(tr("Connect and run the recorded actions again (F5)"));
    m_next->setToolTip(tr("Let the next recorded action run (F10)"));
    m_stop->setToolTip(tr("Close every end still open and compare what ran (Shift+F5)"));
    for (const RecordedAction &a : std::as_const(m_recording.actions)) {
        if (!a.text.startsWith(QLatin1StringView("send-file")))
            continue;
        const auto action = Action::parse(a.text, nullptr);
        if (action && action->kind == Action::Kind::SendFile && !m_filePaths.contains(action->path))
            m_filePaths << action->path;
    }
    m_files->setObjectName(QStringLiteral("replayFiles"));
    // The paths are listed in the line under the buttons, as plain text: a tooltip would take
    // markup in a name as markup.
    m_files->setToolTip(m_filePaths.isEmpty()
                            ? tr("The recording sends no files")
                            : tr("Unticked, each send-file sends the bytes the recording holds "
                                 "and no file here is opened. Ticked, it reads the file the "
                                 "session names on this machine, once you agree."));
    m_targetLabel->setObjectName(QStringLiteral("replayTarget"));
    m_targetLabel->setTextFormat(Qt::PlainText); // names and paths from the file, never markup
    m_targetLabel->setWordWrap(true);
    m_targetLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_pending->setObjectName(QStringLiteral("replayPending"));
    m_verdict->setObjectName(QStringLiteral("replayVerdict"));
    m_verdict->setWordWrap(true);
    m_verdict->setMargin(4);
    m_differences->setObjectName(QStringLiteral("differenceList"));
    m_differences->setWordWrap(true);

    auto *form = new QFormLayout;
    form->addRow(tr("Replay"), m_side);
    form->addRow(tr("Target"), m_target);
    form->addRow(tr("Listen on"), m_listen);
    auto *pace = new QHBoxLayout;
    pace->addWidget(m_speed);
    pace->addWidget(m_step);
    pace->addStretch();
    form->addRow(tr("Speed"), pace);
    form->addRow(tr("Files"), m_files);
    auto *how = new QHBoxLayout;
    how->addWidget(m_payload);
    how->addWidget(m_strict);
    how->addStretch();
    form->addRow(tr("Compare"), how);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_start);
    buttons->addWidget(m_next);
    buttons->addWidget(m_stop);
    buttons->addWidget(m_pending, 1);
    auto *options = new QGroupBox(tr("Replay the recorded actions on live sockets"), this);
    auto *optionsLayout = new QVBoxLayout(options);
    optionsLayout->addLayout(form);
    optionsLayout->addLayout(buttons);
    optionsLayout->addWidget(m_targetLabel);

    m_recordingView->setLive(false);
    m_recordingView->setSession(&m_recording);
    m_recordingView->showHint(tr("The recording: %1").arg(path));
    m_replayView->showHint(tr("The replay fills in here once it starts. Nothing has connected."));

    auto *results = new QWidget(this);
    auto *resultsLayout = new QVBoxLayout(results);
    resultsLayout->setContentsMargins(0, 0, 0, 0);
    resultsLayout->addWidget(m_verdict);
    resultsLayout->addWidget(m_differences, 1);

    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(
        titled(tr("<b>Recording</b> — %1").arg(QFileInfo(path).fileName()), m_recordingView, this));
    split->addWidget(titled(tr("<b>Replay</b>"), m_replayView, this));
    split->addWidget(results);
    split->setStretchFactor(0, 4);
    split->setStretchFactor(1, 4);
    split->setStretchFactor(2, 1);
    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->addWidget(options);
    layout->addWidget(split, 1);
    setCentralWidget(central);
    createMenus();
    resize(1300, 980);
    split->setSizes({360, 360, 120});
    for (SessionView *view : {m_recordingView, m_replayView})
        view->splitter()->setSizes({240, 120});

    connect(m_side, &QComboBox::currentIndexChanged, this, &ReplayWindow::updateButtons);
    connect(m_files, &QCheckBox::clicked, this, &ReplayWindow::confirmFiles);
    connect(m_start, &QPushButton::clicked, this, &ReplayWindow::start);
    connect(m_next, &QPushButton::clicked, this, &ReplayWindow::next);
    connect(m_stop, &QPushButton::clicked, this, &ReplayWindow::stop);
    for (QCheckBox *box : {m_payload, m_strict}) {
        connect(box, &QCheckBox::toggled, this, [this] {
            if (m_hasResult && m_replayer && m_replayer->errorString().isEmpty())
                showComparison();
        });
    }
    updateButtons();
    showRecorded();
    showVerdict(tr("Not replayed yet. Start connects; nothing has so far."), true);
    m_recordingView->timeline()->fitAll();
}

ReplayWindow::~ReplayWindow()
{
    m_replayView->setSession(nullptr);
}

void ReplayWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("Save the Replay &As…"), QKeySequence::SaveAs, this, [this] {
        if (m_replayer)
            emit saveRequested(m_replayer->session(),
                               QFileInfo(m_path).completeBaseName()
                                   + QStringLiteral("-replay.json"));
    });
    file->addAction(tr("Export the Replay's Timeline as &SVG…"), this, [this] {
        emit exportRequested(m_replayView, true);
    });
    file->addAction(tr("Export the Replay's Timeline as &PNG…"), this, [this] {
        emit exportRequested(m_replayView, false);
    });
    file->addSeparator();
    file->addAction(tr("&Close"), QKeySequence::Close, this, &QWidget::close);
    QMenu *replay = menuBar()->addMenu(tr("&Replay"));
    replay->addAction(tr("&Start"), QKeySequence(Qt::Key_F5), this, &ReplayWindow::start);
    replay->addAction(tr("&Next action"), QKeySequence(Qt::Key_F10), this, &ReplayWindow::next);
    replay->addAction(tr("S&top"), QKeySequence(Qt::SHIFT | Qt::Key_F5), this, &ReplayWindow::stop);
}

// Where the recording went and what it read, shown before Start: a session someone sent can
// name any host and any file.
void ReplayWindow::showRecorded()
{
    QStringList targets;
    bool remote = false;
    for (const EndpointRecord &rec : std::as_const(m_recording.endpoints)) {
        if (rec.side != Side::Client)
            continue;
        const QString target = Session::recordedTarget(rec);
        const auto where = HostPort::parse(target, false, nullptr);
        const bool here = !where || HostPort::isLoopback(where->host);
        remote = remote || !here;
        if (targets.size() < 5)
            targets << tr("client %1 to %2%3")
                           .arg(rec.conn)
                           .arg(target.isEmpty() ? tr("nowhere recorded") : target,
                                here ? QString() : tr(" (not this machine)"));
    }
    QStringList lines;
    if (!targets.isEmpty())
        lines << tr("The recording connected %1.").arg(targets.join(QStringLiteral(", ")))
                     + (remote ? tr(" Replaying the client there asks first; both ends here stay "
                                    "on loopback.")
                               : QString());
    if (!m_filePaths.isEmpty())
        lines << tr("It sent files: %1. The replay sends the recorded bytes unless you tick "
                    "Files.")
                     .arg(m_filePaths.size() <= 5
                              ? m_filePaths.join(QStringLiteral(", "))
                              : tr("%1 and %2 more")
                                    .arg(m_filePaths.first(5).join(QStringLiteral(", ")))
                                    .arg(m_filePaths.size() - 5));
    m_targetLabel->setText(lines.join(u'\n'));
}

bool ReplayWindow::confirm(const QString &title, const QString &text)
{
    QMessageBox box(
        QMessageBox::Warning, title, text, QMessageBox::Yes | QMessageBox::Cancel, this);
    box.setObjectName(QStringLiteral("replayConfirmation"));
    box.setTextFormat(Qt::PlainText); // paths and names from the file are text, never markup
    box.setDefaultButton(QMessageBox::Cancel);
    return box.exec() == QMessageBox::Yes;
}

void ReplayWindow::confirmFiles(bool checked)
{
    if (!checked)
        return;
    const bool yes = confirm(
        tr("Read files on this machine"),
        tr("The session names these files. Ticked, the replay reads each one here and sends "
           "its contents to the peer:\n\n%1\n\nRead them?")
            .arg(firstFew(m_filePaths)));
    m_files->setChecked(yes);
}

// A session someone sent names where its client went: connecting there (and looking the name
// up at all) waits for the user's word.
bool ReplayWindow::confirmRemote(const Replayer &replayer)
{
    QString files;
    if (!replayer.fileSends().isEmpty()) {
        QStringList paths;
        for (const Replayer::FileSend &f : replayer.fileSends())
            paths << f.path;
        files = (replayer.allowFiles() ? tr("\n\nIt will read and send these files:\n%1")
                                       : tr("\n\nFor these files it sends the bytes the "
                                            "recording holds, not the files:\n%1"))
                    .arg(firstFew(paths));
    }
    return confirm(tr("Connect to another machine"),
                   tr("The replay will connect to a host the session names, not this "
                      "machine:\n\n%1%2\n\nConnect there?")
                       .arg(firstFew(replayer.remoteTargets()), files));
}

QString ReplayWindow::targetText() const
{
    return m_targetLabel->text();
}

QString ReplayWindow::pendingText() const
{
    return m_pending->text();
}

QString ReplayWindow::verdictText() const
{
    return m_verdict->text();
}

void ReplayWindow::updateButtons()
{
    const bool running = m_replayer && !m_replayer->isFinished() && !m_hasResult;
    m_start->setEnabled(!running);
    m_start->setText(m_hasResult ? tr("Replay again") : tr("Start replay"));
    m_next->setEnabled(running && m_replayer->isWaitingForNext());
    m_stop->setEnabled(running);
    for (QWidget *w : {static_cast<QWidget *>(m_side),
                       static_cast<QWidget *>(m_speed),
                       static_cast<QWidget *>(m_step)}) {
        w->setEnabled(!running);
    }
    m_files->setEnabled(!running && !m_filePaths.isEmpty());
    // The target is for a client replay, the listen address for the others.
    const bool client = Replayer::Mode(m_side->currentData().toInt()) == Replayer::Mode::Client;
    m_target->setEnabled(!running && client);
    m_listen->setEnabled(!running && !client);
}

void ReplayWindow::showVerdict(const QString &text, bool good)
{
    m_verdict->setText(text);
    m_verdict->setStyleSheet(good ? QString()
                                  : QStringLiteral("QLabel { color: %1; font-weight: bold; }")
                                        .arg(TimelineStyle(palette()).bad().name()));
}

bool ReplayWindow::start()
{
    if (m_replayer && !m_replayer->isFinished() && !m_hasResult)
        return false;
    const auto mode = Replayer::Mode(m_side->currentData().toInt());
    auto replayer = std::make_unique<Replayer>(m_recording);
    replayer->workbench()->recorder()->setTool(
        QStringLiteral("finscope replay of %1").arg(QFileInfo(m_path).fileName()));
    replayer->setMode(mode);
    replayer->setSpeed(m_speed->value());
    replayer->setStepping(m_step->isChecked());
    replayer->setAllowFiles(m_files->isChecked());
    QString error;
    if (mode == Replayer::Mode::Client && !m_target->text().trimmed().isEmpty()) {
        const auto target = HostPort::parse(m_target->text().trimmed(), false, &error);
        if (!target) {
            showVerdict(tr("Target: %1").arg(error), false);
            return false;
        }
        replayer->setTarget(target->host, target->port);
    }
    if (mode != Replayer::Mode::Client && !m_listen->text().trimmed().isEmpty()) {
        const auto listen = HostPort::parse(m_listen->text().trimmed(), true, &error);
        const auto address = listen ? HostPort::listenAddress(listen->host, &error) : std::nullopt;
        if (!address) {
            showVerdict(tr("Listen on: %1").arg(error), false);
            return false;
        }
        replayer->setListenAddress(*address, listen->port);
    }
    if (!replayer->prepare(&error)) {
        showVerdict(tr("Cannot replay: %1").arg(error), false);
        return false;
    }
    if (!replayer->remoteTargets().isEmpty()) {
        if (!confirmRemote(*replayer)) {
            showVerdict(tr("Not replayed: %1, and you chose not to connect there. Nothing was "
                           "looked up or connected.")
                            .arg(replayer->remoteTargetRefusal()),
                        false);
            return false;
        }
        replayer->setAllowRemoteTargets(true);
    }

    // The replay view lets go of the old run before it goes.
    m_replayView->setSession(&replayer->session());
    m_replayer = std::move(replayer);
    m_hasResult = false;
    m_equivalent = false;
    m_stopping = false;
    m_differences->clear();
    m_recordingView->timeline()->setMarkedLanes({});
    m_replayView->timeline()->setMarkedLanes({});
    m_pending->clear();

    // Where it goes, said before anything connects.
    QStringList clients;
    QStringList servers;
    for (const auto &[side, conn] : m_replayer->replayedEnds())
        (side == Side::Client ? clients : servers)
            << QStringLiteral("%1 %2").arg(sideName(side)).arg(conn);
    QString where;
    switch (m_replayer->mode()) {
    case Replayer::Mode::Client: {
        QStringList parts;
        for (qsizetype i = 0; i < clients.size(); ++i)
            parts << tr("%1 against %2").arg(clients.at(i), m_replayer->target(quint32(i + 1)));
        where = tr("Replaying %1.").arg(parts.join(QStringLiteral(", ")));
        break;
    }
    case Replayer::Mode::Server:
        where = tr("Replaying %1, listening on %2: connect your client there.")
                    .arg(servers.join(QStringLiteral(", ")), m_replayer->listenAddress());
        break;
    default:
        where
            = tr("Replaying %1 in FinScope on %2.")
                  .arg((clients + servers).join(QStringLiteral(", ")), m_replayer->listenAddress());
        break;
    }
    m_targetLabel->setText(where);
    m_replayView->showHint(where);
    showVerdict(tr("Replaying…"), true);

    Replayer *r = m_replayer.get();
    connect(r->workbench()->recorder(),
            &Recorder::eventAdded,
            m_replayView,
            &SessionView::scheduleRefresh);
    connect(r, &Replayer::actionStarted, this, &ReplayWindow::linkReplayPeers);
    connect(r, &Replayer::actionPending, this, [this](Side side, quint32 conn, const QString &a) {
        m_pending->setText(tr("next: %1 %2 %3").arg(sideName(side)).arg(conn).arg(a));
        updateButtons();
    });
    connect(r, &Replayer::finished, this, &ReplayWindow::handleFinished);
    updateButtons();
    r->start();
    return true;
}

void ReplayWindow::next()
{
    // Only an announced action can be let go: presses while an end connects or is busy do not
    // pile up into several actions at once.
    if (m_replayer && m_replayer->isWaitingForNext()) {
        m_pending->clear();
        m_replayer->next();
    }
    updateButtons();
}

void ReplayWindow::stop()
{
    if (!m_replayer || m_replayer->isFinished() || m_hasResult)
        return;
    m_stopping = true;
    // No further action runs, connects in progress are abandoned, open ends are closed (each
    // close records the kernel's answer); finished() follows at once and what ran is compared.
    m_replayer->halt();
}

void ReplayWindow::linkReplayPeers()
{
    if (m_replayer)
        m_replayView->timeline()->refresh(); // the model joins the ends it now knows
}

void ReplayWindow::handleFinished(bool ok)
{
    if (m_hasResult)
        return;
    if (!ok) {
        m_hasResult = true;
        m_pending->clear();
        showVerdict(tr("The replay could not run: %1").arg(m_replayer->errorString()), false);
        m_replayView->showHint(m_verdict->text());
        m_replayView->refresh();
        updateButtons();
        return;
    }
    compare(m_stopping ? tr("stopped") : QString());
}

void ReplayWindow::compare(const QString &how)
{
    if (m_hasResult)
        return;
    m_hasResult = true;
    m_how = how;
    m_pending->clear();
    linkReplayPeers();
    m_replayView->refresh();
    m_replayView->timeline()->fitAll();
    showComparison();
}

void ReplayWindow::showComparison()
{
    SessionComparison::Options options;
    options.payload = m_payload->isChecked();
    options.strict = m_strict->isChecked();
    const SessionComparison comparison(m_recording,
                                       m_replayer->session(),
                                       tr("recording"),
                                       tr("replay"),
                                       m_replayer->replayedSide(),
                                       options);
    m_equivalent = comparison.equivalent() && m_replayer->failures().isEmpty();
    QList<std::pair<Side, quint32>> marked;
    m_differences->clear();
    for (const SessionComparison::Difference &d : comparison.differences()) {
        auto *item = new QListWidgetItem(d.text, m_differences);
        item->setForeground(TimelineStyle(palette()).bad());
        if (!marked.contains(std::make_pair(d.side, d.conn)))
            marked.append({d.side, d.conn});
    }
    for (const QString &failure : m_replayer->failures()) {
        auto *item = new QListWidgetItem(tr("expectation failed: %1").arg(failure), m_differences);
        item->setForeground(TimelineStyle(palette()).bad());
    }
    const int differences = int(m_differences->count());
    // Listed, not marked: a flipped close order that raced in the recording says nothing new
    // about the peer.
    for (const SessionComparison::Difference &d : comparison.races())
        new QListWidgetItem(tr("Race, not a difference: %1").arg(d.text), m_differences);
    m_recordingView->timeline()->setMarkedLanes(marked);
    m_replayView->timeline()->setMarkedLanes(marked);
    const QString prefix = m_how.isEmpty() ? QString() : tr("Replay %1. ").arg(m_how);
    const QString races = comparison.races().isEmpty()
                              ? QString()
                              : tr(" Who closed first raced, as in the recording: listed below.");
    if (m_equivalent) {
        showVerdict(prefix
                        + (options.payload
                               ? tr("Equivalent to the recording: the same teardown on every "
                                    "end, in the same order, and the same bytes each way.")
                               : tr("Equivalent to the recording: the same teardown on every "
                                    "end, in the same order, and as many bytes each way."))
                        + races,
                    true);
    } else {
        showVerdict(prefix
                        + tr("Differs from the recording: %n difference(s), marked in red on "
                             "both timelines.",
                             nullptr,
                             differences)
                        + races,
                    false);
    }
    m_replayView->showHint(m_verdict->text());
    updateButtons();
}

void ReplayWindow::closeEvent(QCloseEvent *event)
{
    if (m_replayer && !m_replayer->isFinished())
        m_replayer->closeAll();
    event->accept();
}

} // namespace finscope
