#pragma once

// The server pane: bind address (127.0.0.1 unless the user picks another), port, Listen/Stop, the
// responder that answers new connections, the accepted connections (finished ones folded), and the
// controls and auto-responder of the one selected. One panel, made for the selected connection:
// what each connection keeps lives in its ConnectionRecord, so thousands of connections cost no
// widgets and a responder keeps answering while another connection is shown.

#include <QPointer>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QListView;
class QPushButton;
class QSpinBox;
class QStackedWidget;

namespace finscope {

class ConnectionListModel;
class ConnectionPanel;
class ConnectionRecord;
class Endpoint;
class Workbench;

class ServerPane : public QWidget
{
    Q_OBJECT
public:
    explicit ServerPane(Workbench *workbench, QWidget *parent = nullptr);

    QString bindAddress() const;
    // Shows connection (1-based, as the list numbers them) and returns its panel; nullptr when
    // there is no such connection.
    ConnectionPanel *panel(int connection);
    ConnectionPanel *currentPanel() const;
    // The connection the panel shows, 0 for none.
    int shownConnection() const { return m_shown; }
    ConnectionRecord *record(int connection) const;
    ConnectionListModel *connectionModel() const { return m_model; }
    QListView *connectionList() const { return m_connections; }

public slots:
    bool startListening();
    void toggleListening();

signals:
    void hint(const QString &text);

private:
    void addConnection(Endpoint *endpoint);
    void showConnection(int connection);
    void selectRow(int row);
    void updateListening();
    void updateExposureWarning();

    Workbench *m_workbench;
    QComboBox *m_address;
    QSpinBox *m_port;
    QCheckBox *m_v6only;
    QPushButton *m_listen;
    QLabel *m_status;
    QLabel *m_exposure;
    QComboBox *m_answer; // the responder new connections start with
    QCheckBox *m_closeOnEof;
    QListView *m_connections;
    ConnectionListModel *m_model;
    QStackedWidget *m_panels;
    QPointer<ConnectionPanel> m_panel; // the selected connection's
    int m_shown = 0;
    QList<ConnectionRecord *> m_records; // index: connection - 1
};

} // namespace finscope
