#include "scenariowindow.h"

#include "connectionpanel.h"
#include "engine/scenarios/scenariocatalog.h"
#include "engine/scenarios/scenariorunner.h"
#include "engine/socket/endpoint.h"
#include "eventtablemodel.h"
#include "render/timelinestyle.h"
#include "sessionview.h"
#include "timelinewidget.h"

#include <QAction>
#include <QCloseEvent>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QPushButton>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace finscope {

namespace {

constexpr double PresenterScale = 1.6;

QString stepText(const ScenarioStep &step, int index)
{
    return QStringLiteral("%1. %2: %3\n    %4")
        .arg(index + 1)
        .arg(sideName(step.side), step.action.toString(), step.caption);
}

QLabel *waitingLabel(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setWordWrap(true);
    label->setAlignment(Qt::AlignCenter);
    label->setMargin(16);
    return label;
}

} // namespace

ScenarioWindow::ScenarioWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_main(new QSplitter(Qt::Horizontal, this))
    , m_guide(new QWidget(this))
    , m_list(new QListWidget(this))
    , m_explanation(new QTextBrowser(this))
    , m_steps(new QListWidget(this))
    , m_run(new QPushButton(tr("Run"), this))
    , m_step(new QPushButton(tr("Step"), this))
    , m_stop(new QPushButton(tr("Stop"), this))
    , m_new(new QPushButton(tr("New run"), this))
    , m_status(new QLabel(this))
    , m_verdicts(new QListWidget(this))
    , m_caption(new QLabel(this))
    , m_stage(new QSplitter(Qt::Vertical, this))
    , m_clientStack(new QStackedWidget(this))
    , m_serverStack(new QStackedWidget(this))
    , m_clientWaiting(waitingLabel(tr("The client connects when the scenario starts."), this))
    , m_serverWaiting(waitingLabel(tr("The server's end appears when the client connects."), this))
    , m_view(new SessionView(this))
{
    setAttribute(Qt::WA_DeleteOnClose);
    setWindowIcon(QIcon(QStringLiteral(":/icons/finscope.svg")));
    setWindowTitle(tr("FinScope — Scenarios"));
    m_baseFont = font();

    // The guide: which scenario, what to watch, its steps, the buttons and the verdicts.
    m_list->setObjectName(QStringLiteral("scenarioList"));
    for (const Scenario &scenario : ScenarioCatalog::all()) {
        auto *item = new QListWidgetItem(scenario.title, m_list);
        item->setData(Qt::UserRole, scenario.id);
        item->setToolTip(scenario.id);
    }
    m_explanation->setOpenLinks(false);
    m_steps->setObjectName(QStringLiteral("stepList"));
    m_steps->setWordWrap(true);
    m_steps->setSelectionMode(QAbstractItemView::NoSelection);
    m_steps->setFocusPolicy(Qt::NoFocus);
    m_verdicts->setObjectName(QStringLiteral("verdictList"));
    m_verdicts->setWordWrap(true);
    m_verdicts->setSelectionMode(QAbstractItemView::NoSelection);
    m_status->setWordWrap(true);
    m_run->setToolTip(tr("Run every remaining step, each as a blocking program would (F5)"));
    m_step->setToolTip(tr("Run the next step only: the presenter sets the pace (F10, Page Down)"));
    m_stop->setToolTip(tr("End the run now and judge the facts (Shift+F5)"));
    m_new->setToolTip(tr("Throw this run away and prepare a new one (Ctrl+R)"));
    connect(m_run, &QPushButton::clicked, this, &ScenarioWindow::run);
    connect(m_step, &QPushButton::clicked, this, &ScenarioWindow::step);
    connect(m_stop, &QPushButton::clicked, this, &ScenarioWindow::stop);
    connect(m_new, &QPushButton::clicked, this, &ScenarioWindow::newRun);

    auto *buttons = new QHBoxLayout;
    for (QPushButton *b : {m_run, m_step, m_stop, m_new})
        buttons->addWidget(b);
    auto *guideLayout = new QVBoxLayout(m_guide);
    guideLayout->setContentsMargins(6, 6, 6, 6);
    auto *pick = new QLabel(tr("<b>Scenario</b>"), m_guide);
    guideLayout->addWidget(pick);
    guideLayout->addWidget(m_list, 2);
    guideLayout->addWidget(m_explanation, 3);
    guideLayout->addWidget(new QLabel(tr("<b>Steps</b>"), m_guide));
    guideLayout->addWidget(m_steps, 4);
    guideLayout->addLayout(buttons);
    guideLayout->addWidget(m_status);
    guideLayout->addWidget(new QLabel(tr("<b>What this kernel must show</b>"), m_guide));
    guideLayout->addWidget(m_verdicts, 2);

    // The stage: the current step, both ends, the timeline.
    m_caption->setObjectName(QStringLiteral("stepCaption"));
    m_caption->setWordWrap(true);
    m_caption->setMargin(6);
    m_caption->setTextFormat(Qt::RichText);
    auto *ends = new QSplitter(Qt::Horizontal, this);
    auto *clientBox = new QGroupBox(tr("Client"), this);
    auto *serverBox = new QGroupBox(tr("Server"), this);
    (new QVBoxLayout(clientBox))->addWidget(m_clientStack);
    (new QVBoxLayout(serverBox))->addWidget(m_serverStack);
    m_clientStack->addWidget(m_clientWaiting);
    m_serverStack->addWidget(m_serverWaiting);
    ends->addWidget(clientBox);
    ends->addWidget(serverBox);
    m_stage->addWidget(m_caption);
    m_stage->addWidget(ends);
    m_stage->addWidget(m_view);
    m_stage->setStretchFactor(1, 3);
    m_stage->setStretchFactor(2, 5);
    m_stage->setCollapsible(0, false);

    m_main->addWidget(m_guide);
    m_main->addWidget(m_stage);
    m_main->setStretchFactor(0, 2);
    m_main->setStretchFactor(1, 5);
    setCentralWidget(m_main);
    resize(1500, 980);
    m_main->setSizes({420, 1080});
    m_stage->setSizes({50, 330, 600});
    createMenus();

    connect(m_list, &QListWidget::currentRowChanged, this, &ScenarioWindow::showScenario);
    m_list->setCurrentRow(0);
}

ScenarioWindow::~ScenarioWindow()
{
    // The panels and the view point into the runner's endpoints and store: let go first.
    delete m_clientPanel;
    delete m_serverPanel;
    m_view->setSession(nullptr);
}

void ScenarioWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("Save This Run &As…"), QKeySequence::SaveAs, this, [this] {
        if (m_runner)
            emit saveRequested(m_runner->recorder()->session(),
                               m_runner->scenario().id + QStringLiteral(".json"));
    });
    file->addAction(
        tr("Export Timeline as &SVG…"), this, [this] { emit exportRequested(m_view, true); });
    file->addAction(
        tr("Export Timeline as &PNG…"), this, [this] { emit exportRequested(m_view, false); });
    file->addSeparator();
    file->addAction(tr("&Close"), QKeySequence::Close, this, &QWidget::close);

    QMenu *scenario = menuBar()->addMenu(tr("&Scenario"));
    QAction *run = scenario->addAction(tr("&Run"), this, &ScenarioWindow::run);
    run->setShortcut(QKeySequence(Qt::Key_F5));
    QAction *step = scenario->addAction(tr("&Step"), this, &ScenarioWindow::step);
    step->setShortcuts({QKeySequence(Qt::Key_F10), QKeySequence(Qt::Key_PageDown)});
    QAction *stop = scenario->addAction(tr("S&top"), this, &ScenarioWindow::stop);
    stop->setShortcut(QKeySequence(Qt::SHIFT | Qt::Key_F5));
    scenario->addAction(
        tr("&New run"), QKeySequence(Qt::CTRL | Qt::Key_R), this, &ScenarioWindow::newRun);
    scenario->addSeparator();
    m_presenterAction = scenario->addAction(tr("&Presenter mode"));
    m_presenterAction->setCheckable(true);
    m_presenterAction->setShortcuts(
        {QKeySequence(Qt::Key_F11), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P)});
    connect(m_presenterAction, &QAction::toggled, this, &ScenarioWindow::setPresenting);

    m_view->addZoomActions(menuBar()->addMenu(tr("&View")));
}

bool ScenarioWindow::isRunActive() const
{
    return m_runner && !m_runner->isFinished() && m_runner->state() != ScenarioRunner::State::Idle;
}

bool ScenarioWindow::selectScenario(const QString &id)
{
    if (isRunActive())
        return currentId() == id;
    for (int row = 0; row < m_list->count(); ++row) {
        if (m_list->item(row)->data(Qt::UserRole).toString() == id) {
            m_list->setCurrentRow(row);
            return true;
        }
    }
    return false;
}

QString ScenarioWindow::currentId() const
{
    return m_runner ? m_runner->scenario().id : QString();
}

QString ScenarioWindow::stepCaption() const
{
    return m_caption->text();
}

QString ScenarioWindow::statusText() const
{
    return m_status->text();
}

void ScenarioWindow::showScenario(int row)
{
    if (row < 0 || row == m_row)
        return;
    if (isRunActive()) {
        // A run in progress is not thrown away by a pick (the list is disabled meanwhile, but
        // the workbench's Scenarios menu can still ask).
        const QSignalBlocker block(m_list);
        m_list->setCurrentRow(m_row);
        return;
    }
    m_row = row;
    newRun();
}

void ScenarioWindow::newRun()
{
    if (m_row < 0)
        return;
    const auto scenario = ScenarioCatalog::find(m_list->item(m_row)->data(Qt::UserRole).toString());
    if (!scenario)
        return;
    auto runner = std::make_unique<ScenarioRunner>(*scenario);
    // The view and the panels must let go of the old run before it goes.
    m_view->setSession(&runner->recorder()->session());
    delete m_clientPanel;
    delete m_serverPanel;
    m_clientStack->setCurrentWidget(m_clientWaiting);
    m_serverStack->setCurrentWidget(m_serverWaiting);
    m_serverWaiting->setText(tr("The server's end appears when the client connects."));
    m_runner = std::move(runner);
    m_runRequested = false;

    ScenarioRunner *r = m_runner.get();
    connect(r->recorder(), &Recorder::eventAdded, m_view, &SessionView::scheduleRefresh);
    connect(r->workbench(), &Workbench::clientAdded, this, &ScenarioWindow::addEndpoint);
    connect(r->workbench(), &Workbench::serverConnectionAdded, this, &ScenarioWindow::addEndpoint);
    connect(r, &ScenarioRunner::ready, this, &ScenarioWindow::handleReady);
    connect(r, &ScenarioRunner::stepStarted, this, &ScenarioWindow::updateSteps);
    connect(r, &ScenarioRunner::stepFinished, this, &ScenarioWindow::updateSteps);
    connect(r, &ScenarioRunner::finished, this, &ScenarioWindow::handleFinished);

    QString facts;
    for (const ScenarioFact &fact : scenario->facts)
        facts += QStringLiteral("<li>%1</li>").arg(fact.sentence.toHtmlEscaped());
    m_explanation->setHtml(
        QStringLiteral("<h3>%1</h3><p>%2</p><p><b>Facts checked after the run</b></p><ul>%3</ul>"
                       "<p style='color:%5'>%4</p>")
            .arg(scenario->title.toHtmlEscaped(),
                 scenario->explanation.toHtmlEscaped(),
                 facts,
                 scenario->id,
                 TimelineStyle(palette()).faded().name()));
    m_steps->clear();
    for (int i = 0; i < scenario->steps.size(); ++i)
        new QListWidgetItem(stepText(scenario->steps.at(i), i), m_steps);
    m_verdicts->clear();
    m_status->setText(scenario->endsByTimeout
                          ? tr("Ready. This scenario hangs on purpose: Run ends it after %1 s.")
                                .arg(r->timeoutMs() / 1000.0)
                          : tr("Ready. Run plays every step; Step plays one at a time."));
    m_view->showHint(tr("%1\n\nNothing is connected yet: Run or Step opens a loopback "
                        "connection in this window.")
                         .arg(scenario->title));
    m_view->timeline()->setFollowLive(true);
    m_view->refresh();
    updateSteps();
}

void ScenarioWindow::addEndpoint(Endpoint *endpoint)
{
    const bool client = endpoint->side() == Side::Client;
    QStackedWidget *stack = client ? m_clientStack : m_serverStack;
    QPointer<ConnectionPanel> &slot = client ? m_clientPanel : m_serverPanel;
    if (slot)
        return; // a scenario has one connection; the runner closes any other
    auto *panel = new ConnectionPanel(endpoint, stack, true);
    connect(panel, &ConnectionPanel::hint, m_view, &SessionView::showHint);
    stack->addWidget(panel);
    stack->setCurrentWidget(panel);
    slot = panel;
}

void ScenarioWindow::handleReady()
{
    // Both ends live in this process: arrows from each send to the peer's receive.
    m_view->timeline()->refresh(); // the model joins the ends it now knows
    if (!m_serverPanel) {
        m_serverWaiting->setText(
            tr("The server's end is held by a QTcpSocket, as most Qt programs hold it: FinScope "
               "does not drive it. Watch its lane on the timeline: on the client's FIN, Qt "
               "closes both directions at once."));
    }
    const Endpoint *client = m_runner->workbench()->clients().value(0);
    if (client) {
        m_view->showHint(tr("Connected on loopback: client %1 to server %2. Both ends live in "
                            "this window, apart from the workbench's.")
                             .arg(client->localAddress(), client->peerAddress()));
    }
    m_view->refresh();
    updateSteps();
}

void ScenarioWindow::run()
{
    if (!m_runner)
        return;
    // A run that has not started yet starts afresh, so its clock reads 0 when it begins and not
    // when the scenario was picked.
    if (m_runner->isFinished() || m_runner->state() == ScenarioRunner::State::Idle)
        newRun();
    m_runRequested = true;
    m_runner->run();
    updateSteps();
}

void ScenarioWindow::step()
{
    if (!m_runner)
        return;
    if (m_runner->isFinished() || m_runner->state() == ScenarioRunner::State::Idle)
        newRun();
    m_runner->step();
    updateSteps();
}

void ScenarioWindow::stop()
{
    if (m_runner && m_runner->state() != ScenarioRunner::State::Idle)
        m_runner->stop();
    updateSteps();
}

void ScenarioWindow::handleFinished()
{
    m_verdicts->clear();
    const bool failedSetup = m_runner->state() == ScenarioRunner::State::Failed;
    for (const FactVerdict &verdict : m_runner->verdicts()) {
        auto *item
            = new QListWidgetItem(QStringLiteral("%1 %2\n    %3")
                                      .arg(verdict.held ? QStringLiteral("✓") : QStringLiteral("✗"),
                                           verdict.sentence,
                                           verdict.observed),
                                  m_verdicts);
        item->setForeground(verdict.held ? TimelineStyle(palette()).good()
                                         : TimelineStyle(palette()).bad());
    }
    QString text;
    if (failedSetup)
        text = tr("Could not run: %1").arg(m_runner->errorString());
    else if (m_runner->allHeld())
        text = tr("Finished (%1): every fact held on this kernel.").arg(m_runner->endReason());
    else
        text = tr("Finished (%1): some facts did not hold, see below.").arg(m_runner->endReason());
    m_status->setText(text);
    m_view->showHint(text);
    m_view->refresh();
    m_view->timeline()->fitAll();
    updateSteps();
}

void ScenarioWindow::updateSteps()
{
    if (!m_runner)
        return;
    const int next = m_runner->nextStep();
    const bool finished = m_runner->isFinished();
    const QColor current = palette().color(QPalette::Highlight);
    int focus = -1;
    for (int i = 0; i < m_steps->count() && i < m_runner->stepCount(); ++i) {
        QListWidgetItem *item = m_steps->item(i);
        const auto status = m_runner->stepStatus(i);
        QString mark;
        switch (status) {
        case ScenarioRunner::StepStatus::Pending:
            mark = i == next && !finished ? QStringLiteral("next") : QString();
            break;
        case ScenarioRunner::StepStatus::Released:
            mark = finished ? tr("never ran") : tr("waiting its turn");
            break;
        case ScenarioRunner::StepStatus::Running:
            mark = finished ? tr("still blocked when the run ended") : tr("running");
            break;
        case ScenarioRunner::StepStatus::Done:
            mark = tr("done");
            break;
        }
        const bool isCurrent = !finished
                               && (status == ScenarioRunner::StepStatus::Running || i == next)
                               && focus < 0;
        QFont f = item->font();
        f.setBold(isCurrent);
        item->setFont(f);
        item->setBackground(isCurrent ? current : QBrush());
        item->setForeground(isCurrent ? palette().color(QPalette::HighlightedText)
                            : status == ScenarioRunner::StepStatus::Done
                                ? TimelineStyle(palette()).faded()
                                : palette().color(QPalette::Text));
        item->setText(stepText(m_runner->scenario().steps.at(i), i)
                      + (mark.isEmpty() ? QString() : QStringLiteral("   [%1]").arg(mark)));
        if (isCurrent)
            focus = i;
    }
    if (focus >= 0)
        m_steps->scrollToItem(m_steps->item(focus));

    // The caption: what happens now, in words a room can read.
    const int count = m_runner->stepCount();
    if (!finished && m_runner->state() != ScenarioRunner::State::Idle) {
        int done = 0;
        for (int i = 0; i < count; ++i)
            done += m_runner->stepStatus(i) == ScenarioRunner::StepStatus::Done ? 1 : 0;
        m_status->setText(m_runner->state() == ScenarioRunner::State::Running
                              ? tr("Running: %1 of %2 steps done.").arg(done).arg(count)
                          : m_runner->state() == ScenarioRunner::State::Preparing
                              ? tr("Connecting on loopback…")
                              : tr("Stepping: %1 of %2 steps done. Step (F10) plays the next, "
                                   "Run the rest.")
                                    .arg(done)
                                    .arg(count));
    }
    if (finished) {
        m_caption->setText(
            tr("<b>%1</b> — %2")
                .arg(m_runner->scenario().title.toHtmlEscaped(), m_status->text().toHtmlEscaped()));
    } else if (focus >= 0) {
        const ScenarioStep &s = m_runner->scenario().steps.at(focus);
        const bool running = m_runner->stepStatus(focus) == ScenarioRunner::StepStatus::Running;
        m_caption->setText(tr("<b>Step %1 of %2%3</b> — %4: <code>%5</code><br>%6")
                               .arg(focus + 1)
                               .arg(count)
                               .arg(running ? tr(", running") : tr(", next"))
                               .arg(sideName(s.side),
                                    s.action.toString().toHtmlEscaped(),
                                    s.caption.toHtmlEscaped()));
    } else {
        m_caption->setText(tr("<b>%1</b> — every step is under way")
                               .arg(m_runner->scenario().title.toHtmlEscaped()));
    }
    updateButtons();
}

void ScenarioWindow::updateButtons()
{
    const auto state = m_runner ? m_runner->state() : ScenarioRunner::State::Idle;
    const bool finished = m_runner && m_runner->isFinished();
    // Run also covers the connection being set up for it.
    const bool running = state == ScenarioRunner::State::Running || (m_runRequested && !finished);
    const bool allReleased = m_runner && m_runner->nextStep() >= m_runner->stepCount();
    m_run->setText(finished ? tr("Run again") : tr("Run"));
    m_run->setEnabled(m_runner && !running);
    m_step->setText(finished ? tr("Step from the start") : tr("Step"));
    m_step->setEnabled(m_runner && !running && (finished || !allReleased));
    m_stop->setEnabled(m_runner && !finished && state != ScenarioRunner::State::Idle);
    m_list->setEnabled(!running);
}

void ScenarioWindow::setPresenting(bool on)
{
    m_presenting = on;
    if (m_presenterAction && m_presenterAction->isChecked() != on)
        m_presenterAction->setChecked(on);
    m_view->timeline()->setHighContrast(on);
    // The room needs the steps, the explanation and the timeline, not the table or the picker.
    m_list->setVisible(!on);
    m_view->eventTable()->setVisible(!on);
    applyFonts();
    const int total = m_main->width();
    const int guide = on ? total * 2 / 5 : 420;
    m_main->setSizes({guide, std::max(total - guide, 1)});
    // Larger type needs taller panes for the received data to show.
    const int height = m_stage->height();
    const int caption = m_caption->sizeHint().height();
    const int ends = (height - caption) * (on ? 45 : 35) / 100;
    m_stage->setSizes({caption, ends, std::max(height - caption - ends, 1)});
    updateSteps();
}

void ScenarioWindow::applyFonts()
{
    QFont f = m_baseFont;
    if (m_presenting)
        f.setPointSizeF(f.pointSizeF() * PresenterScale);
    setFont(f);
    QFont caption = f;
    caption.setPointSizeF(f.pointSizeF() * (m_presenting ? 1.25 : 1.1));
    m_caption->setFont(caption);
    m_view->timeline()->updateGeometry();
    m_view->timeline()->update();
}

void ScenarioWindow::closeEvent(QCloseEvent *event)
{
    if (m_runner && !m_runner->isFinished() && m_runner->state() != ScenarioRunner::State::Idle)
        m_runner->stop();
    event->accept();
}

} // namespace finscope
