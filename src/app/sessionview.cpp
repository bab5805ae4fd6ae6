#include "sessionview.h"

#include "engine/core/eventstore.h"
#include "engine/session/session.h"
#include "eventtablemodel.h"
#include "render/hints.h"
#include "timelinewidget.h"

#include <QCheckBox>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QScrollBar>
#include <QSplitter>
#include <QTableView>
#include <QToolBar>
#include <QVBoxLayout>

namespace finscope {

SessionView::SessionView(QWidget *parent)
    : QWidget(parent)
    , m_timeline(new TimelineWidget(this))
    , m_model(new EventTableModel(this))
    , m_table(new QTableView(this))
    , m_hint(new QLabel(this))
    , m_splitter(new QSplitter(Qt::Vertical, this))
    , m_follow(new QCheckBox(tr("Follow live"), this))
{
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 4);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setColumnWidth(EventTableModel::TimeColumn,
                            m_table->fontMetrics().horizontalAdvance(QStringLiteral("0000.000000"))
                                + 16);
    m_table->setColumnWidth(
        EventTableModel::KindColumn,
        m_table->fontMetrics().horizontalAdvance(QStringLiteral("shutdown rdwr")) + 16);
    m_hint->setWordWrap(true);
    m_hint->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_hint->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_hint->setMargin(8);

    auto *timelineBox = new QWidget(this);
    auto *timelineLayout = new QVBoxLayout(timelineBox);
    timelineLayout->setContentsMargins(0, 0, 0, 0);
    auto *tools = new QToolBar(tr("Timeline"), timelineBox);
    timelineLayout->addWidget(tools);
    timelineLayout->addWidget(m_timeline, 1);
    tools->addAction(tr("Zoom in"), m_timeline, &TimelineWidget::zoomIn);
    tools->addAction(tr("Zoom out"), m_timeline, &TimelineWidget::zoomOut);
    tools->addAction(tr("Fit all"), m_timeline, &TimelineWidget::fitAll);
    m_follow->setObjectName(QStringLiteral("followLiveCheck"));
    m_follow->setChecked(m_timeline->followLive());
    m_followAction = tools->addWidget(m_follow);
    connect(m_follow, &QCheckBox::toggled, m_timeline, &TimelineWidget::setFollowLive);
    connect(m_timeline, &TimelineWidget::followLiveChanged, m_follow, &QCheckBox::setChecked);

    auto *bottom = new QSplitter(Qt::Horizontal, this);
    bottom->addWidget(m_table);
    bottom->addWidget(m_hint);
    bottom->setStretchFactor(0, 3);
    bottom->setStretchFactor(1, 2);
    m_splitter->addWidget(timelineBox);
    m_splitter->addWidget(bottom);
    m_splitter->setStretchFactor(0, 2);
    m_splitter->setStretchFactor(1, 1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_splitter);

    m_refresh.setSingleShot(true);
    m_refresh.setInterval(30);
    connect(&m_refresh, &QTimer::timeout, this, &SessionView::refresh);
    connect(m_timeline, &TimelineWidget::eventClicked, this, [this](qsizetype index) {
        m_table->selectRow(int(index));
        m_table->scrollTo(m_model->index(int(index), 0));
    });
    connect(m_timeline, &TimelineWidget::eventHovered, this, &SessionView::explain);
    connect(m_table->selectionModel(),
            &QItemSelectionModel::currentRowChanged,
            this,
            [this](const QModelIndex &current) {
                if (!current.isValid())
                    return;
                m_timeline->setSelectedEvent(current.row());
                explain(current.row());
            });
}

void SessionView::setSession(const Session *session)
{
    m_store = session ? &session->events : nullptr;
    m_timeline->setSession(session);
    m_model->setStore(m_store);
}

void SessionView::setLive(bool live)
{
    m_timeline->setFollowLive(live);
    m_followAction->setVisible(live);
}

void SessionView::addZoomActions(QMenu *menu) const
{
    menu->addAction(tr("Zoom &in"), QKeySequence::ZoomIn, m_timeline, &TimelineWidget::zoomIn);
    menu->addAction(tr("Zoom &out"), QKeySequence::ZoomOut, m_timeline, &TimelineWidget::zoomOut);
    menu->addAction(
        tr("&Fit all"), QKeySequence(Qt::CTRL | Qt::Key_0), m_timeline, &TimelineWidget::fitAll);
}

QString SessionView::hintText() const
{
    return m_hint->text();
}

void SessionView::showHint(const QString &text)
{
    m_hint->setText(text);
}

void SessionView::scheduleRefresh()
{
    if (!m_refresh.isActive())
        m_refresh.start();
}

void SessionView::refresh()
{
    m_timeline->refresh();
    const bool atBottom
        = m_table->verticalScrollBar()->value() == m_table->verticalScrollBar()->maximum();
    m_model->refresh();
    if (atBottom && m_timeline->followLive())
        m_table->scrollToBottom();
}

void SessionView::explain(qsizetype index)
{
    if (m_store && index >= 0 && index < m_store->size())
        showHint(explainEvent(m_store->at(index), *m_store));
}

} // namespace finscope
