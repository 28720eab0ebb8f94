// German (default) and English. Every key carries both languages: [de, en]. The choice is kept in localStorage.

const KEY = "helpdesk.lang";

/* eslint-disable max-len */
const S = {
  // general
  "ok": ["OK", "OK"], "cancel": ["Abbrechen", "Cancel"], "close": ["Schließen", "Close"], "confirm": ["Bitte bestätigen", "Please confirm"],
  "save": ["Speichern", "Save"], "saved": ["Gespeichert", "Saved"], "delete": ["Löschen", "Delete"], "deleted": ["Gelöscht", "Deleted"],
  "remove": ["Entfernen", "Remove"], "apply": ["Anwenden", "Apply"], "retry": ["Erneut versuchen", "Try again"],
  "loading": ["Wird geladen …", "Loading …"], "yes": ["ja", "yes"], "no": ["nein", "no"], "none": ["– keine –", "– none –"],
  "all.f": ["alle", "all"], "all.m": ["alle", "all"], "all.n": ["alle", "all"], "language": ["Sprache", "Language"],
  "skip": ["Zum Inhalt springen", "Skip to content"], "logout": ["Abmelden", "Log out"],
  // navigation
  "nav.main": ["Hauptnavigation", "Main navigation"], "nav.tickets": ["Tickets", "Tickets"], "nav.new": ["Neues Ticket", "New ticket"],
  "nav.customers": ["Kunden", "Customers"], "nav.reports": ["Berichte", "Reports"], "nav.admin": ["Verwaltung", "Administration"],
  // errors
  "err.unknown": ["Unbekannter Fehler.", "Unknown error."],
  "err.network": ["Keine Verbindung zum Server. Bitte prüfen Sie Ihre Netzwerkverbindung.", "No connection to the server. Please check your network."],
  "err.session": ["Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an.", "Your session has expired. Please log in again."],
  "err.forbidden": ["Keine Berechtigung: {detail}", "Not allowed: {detail}"],
  "err.notfound": ["Nicht gefunden: {detail}", "Not found: {detail}"],
  "err.conflict": ["Jemand anderes hat dieses Ticket geändert.", "Someone else has changed this ticket."],
  "err.toolarge": ["Die Daten sind zu groß.", "The data is too large."],
  "err.ratelimited": ["Zu viele Anfragen. Bitte versuchen Sie es später noch einmal.", "Too many requests. Please try again later."],
  "err.validation": ["Ungültige Eingabe: {detail}", "Invalid input: {detail}"],
  "err.server": ["Serverfehler: {detail}", "Server error: {detail}"],
  // auto-reply preview as sent (POST admin/mailboxes/preview)
  "adm.mb.sent": ["So geht die automatische Antwort hinaus", "The auto-reply as it is sent"],
  "adm.mb.sent.de": ["an eine deutsche Anfrage", "to a German request"],
  "adm.mb.sent.en": ["an eine englische Anfrage", "to an English request"],
  "adm.mb.sent.unknown": ["Unbekannte Variable {vars}: Speichern ist so nicht möglich.", "Unknown variable {vars}: this cannot be saved."],
  // very large tickets: older messages come without their bodies (issue 13, Lambda's 6 MB)
  "mail.omitted": ["Dieses Ticket ist sehr groß: der Text dieser älteren Nachricht wurde nicht mitgeladen.", "This ticket is very large: this older message's text was not loaded with it."],
  "pub.shortened": ["(gekürzt – die vollständige Nachricht finden Sie in Ihrem Postfach)", "(shortened – the whole message is in your mailbox)"],
  // set-up checklist (GET admin/setup)
  "setup.title": ["Einrichtung", "Set-up"],
  "setup.intro": ["Bevor der Helpdesk E-Mails annimmt und beantwortet, fehlt noch etwas ({open} offen):", "Before the helpdesk receives and answers mail, something is missing ({open} open):"],
  "setup.admin": ["Ein aktiver Administrator", "An active admin"],
  "setup.mailbox": ["Ein Postfach, das E-Mails empfängt", "A mailbox that receives mail"],
  "setup.default_queue": ["Die Standard-Queue „{queue}“ anlegen", "Create the default queue “{queue}”"],
  "setup.mailbox_queues": ["Jedes Postfach nennt eine vorhandene Queue {mailboxes}", "Every mailbox names an existing queue {mailboxes}"],
  "setup.autoreply": ["Texte der automatischen Antwort {mailboxes}", "Auto-reply texts {mailboxes}"],
  "setup.signature": ["Eine Signatur für das Team", "A team signature"],
  "setup.team": ["Weitere Kolleginnen und Kollegen einladen", "Invite colleagues"],
  "setup.optional": ["optional", "optional"],
  "setup.state.done": ["erledigt", "done"], "setup.state.todo": ["offen", "open"],
  "setup.state.warn": ["prüfen", "check"], "setup.state.unknown": ["unbekannt", "unknown"],
  // login
  "login.title": ["Anmelden", "Log in"], "login.intro": ["Anmeldung für das Support-Team", "Sign-in for the support team"],
  "login.username": ["Benutzername", "Username"], "login.password": ["Passwort", "Password"],
  "login.remember": ["Angemeldet bleiben (dieses Gerät)", "Stay logged in (this device)"], "login.submit": ["Anmelden", "Log in"],
  "login.missing": ["Bitte Benutzername und Passwort eingeben.", "Please enter username and password."],
  "login.failed": ["Benutzername oder Passwort ist falsch.", "Wrong username or password."],
  "login.expired": ["Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an.", "Your session has expired. Please log in again."],
  "login.challenge": ["Anmeldung verlangt einen weiteren Schritt ({challenge}), den dieser Client nicht unterstützt.", "The login needs another step ({challenge}) this client does not support."],
  "pw.title": ["Neues Passwort festlegen", "Set a new password"],
  "pw.intro": ["Bei der ersten Anmeldung müssen Sie ein eigenes Passwort festlegen.", "On your first login you have to choose your own password."],
  "pw.new": ["Neues Passwort", "New password"], "pw.repeat": ["Passwort wiederholen", "Repeat password"],
  "pw.rules": ["Mindestens 8 Zeichen, mit Groß- und Kleinbuchstaben, Ziffer und Sonderzeichen.", "At least 8 characters, with upper and lower case letters, a digit and a symbol."],
  "pw.short": ["Das Passwort ist zu kurz.", "The password is too short."], "pw.mismatch": ["Die Passwörter stimmen nicht überein.", "The passwords do not match."],
  "pw.submit": ["Passwort speichern", "Save password"],
  // help
  "help.title": ["Tastenkürzel", "Keyboard shortcuts"], "help.jk": ["nächstes / vorheriges Ticket", "next / previous ticket"],
  "help.open": ["Ticket öffnen", "open ticket"], "help.select": ["Ticket auswählen (Liste)", "select ticket (list)"],
  "help.reply": ["antworten", "reply"], "help.comment": ["interner Kommentar", "internal comment"],
  "help.archive": ["archivieren (abschließen)", "archive (close)"], "help.search": ["suchen", "search"],
  "help.help": ["diese Hilfe", "this help"], "help.escape": ["Eingabefeld oder Dialog verlassen", "leave input field or dialog"],
  // inbox
  "inbox.title": ["Ticketliste", "Tickets"], "inbox.filters": ["Filter", "Filters"], "inbox.morefilters": ["Weitere Filter", "More filters"], "inbox.views": ["Ansichten", "Views"],
  "inbox.tab.inbox": ["Posteingang", "Inbox"], "inbox.tab.mine": ["In Bearbeitung", "Assigned to me"], "inbox.tab.unread": ["Ungelesen", "Unread"],
  "inbox.tab.review": ["Zu prüfen", "To review"], "inbox.tab.trash": ["Papierkorb", "Trash"],
  "inbox.search": ["Suche", "Search"], "inbox.search.placeholder": ["Suchen in Betreff, Nachrichten, Kommentaren, Kunde, Nummer …", "Search subject, messages, comments, customer, number …"],
  "inbox.status": ["Status", "Status"], "inbox.status.all": ["alle", "all"], "inbox.sort": ["Sortierung", "Sort by"],
  "inbox.sort.updated": ["zuletzt geändert", "last updated"], "inbox.sort.due": ["Fälligkeit", "due date"],
  "inbox.reset": ["Filter zurücksetzen", "Reset filters"], "inbox.colfilter": ["{column} filtern", "Filter {column}"], "inbox.colfilter.placeholder": ["enthält …", "contains …"], "inbox.caption": ["Tickets", "Tickets"],
  "inbox.selectall": ["Alle sichtbaren Tickets auswählen", "Select all visible tickets"], "inbox.select": ["{number} auswählen", "Select {number}"],
  "inbox.more": ["Mehr laden", "Load more"], "inbox.empty": ["Keine Tickets gefunden.", "No tickets found."],
  "inbox.count": ["{n} Tickets", "{n} tickets"], "inbox.count.one": ["1 Ticket", "1 ticket"], "inbox.count.more": ["{n} Tickets geladen, weitere vorhanden", "{n} tickets loaded, more available"], "inbox.count.more.one": ["1 Ticket geladen, weitere vorhanden", "1 ticket loaded, more available"],
  "inbox.partial": ["(Suche unvollständig – „Mehr laden“ sucht weiter)", "(search incomplete – “Load more” continues)"],
  "inbox.new": ["{n} neue oder geänderte Tickets", "{n} new or changed tickets"], "inbox.new.one": ["1 neues oder geändertes Ticket", "1 new or changed ticket"],
  // full-text search (issue 15): where a ticket matched, shown under its subject
  "search.in.subject": ["im Betreff", "in the subject"], "search.in.number": ["in der Nummer", "in the number"],
  "search.in.customer": ["beim Kunden", "in the customer"], "search.in.message": ["in der Nachricht vom {date}:", "in the message of {date}:"],
  "search.in.comment": ["im Kommentar vom {date}:", "in the comment of {date}:"], "search.in.attachment": ["im Anhang vom {date}:", "in an attachment of {date}:"],
  "filter.bytag": ["Nach Tag „{tag}“ filtern", "Filter by tag “{tag}”"],
  "col.number": ["Nummer", "Number"], "col.subject": ["Betreff", "Subject"], "col.customer": ["Kunde", "Customer"],
  "col.queue": ["Warteschlange", "Queue"], "col.assignee": ["Bearbeiter", "Assignee"], "col.status": ["Status", "Status"],
  "col.priority": ["Priorität", "Priority"], "col.tags": ["Tags", "Tags"], "col.updated": ["Aktualisiert", "Updated"], "col.due": ["Fällig", "Due"],
  "flag.unread": ["ungelesen", "unread"], "flag.review": ["zur Prüfung", "to review"], "flag.prio": ["Prio", "Prio"],
  "flag.private": ["privat", "private"], "flag.personal": ["persönlich", "personal"], "flag.overdue": ["überfällig", "overdue"],
  "flag.private.short": ["P", "P"], "flag.personal.short": ["pers.", "pers."],
  // batch
  "batch.title": ["Stapelverarbeitung", "Batch actions"], "batch.count": ["{n} ausgewählt", "{n} selected"],
  "batch.spam": ["Spam entfernen", "Remove spam"], "batch.block": ["Absender sperren", "Block senders"],
  "batch.block.confirm": ["{n} Tickets in den Papierkorb verschieben und ihre Absender dauerhaft sperren?", "Move {n} tickets to the trash and block their senders permanently?"],
  "batch.block.confirm.one": ["Das Ticket in den Papierkorb verschieben und seinen Absender dauerhaft sperren?", "Move the ticket to the trash and block its sender permanently?"],
  "batch.archive": ["Ungelesen ins Archiv", "Archive unread"], "batch.mark": ["Markieren", "Mark"], "batch.mark.choose": ["– wählen –", "– choose –"],
  "batch.mark_private": ["als privat", "as private"], "batch.mark_personal": ["als persönlich", "as personal"], "batch.mark_prio": ["als Prio", "as prio"],
  "batch.unmark_private": ["nicht mehr privat", "not private"], "batch.unmark_personal": ["nicht mehr persönlich", "not personal"],
  "batch.unmark_prio": ["keine Prio", "no prio"], "batch.mark_read": ["als gelesen", "as read"], "batch.mark_unread": ["als ungelesen", "as unread"],
  "batch.set": ["Setzen", "Set"], "batch.value": ["Wert", "Value"], "batch.clear": ["Auswahl aufheben", "Clear selection"],
  "batch.done": ["{n} Tickets geändert.", "{n} tickets changed."], "batch.done.one": ["1 Ticket geändert.", "1 ticket changed."],
  "batch.partial": ["{ok} geändert, {failed} fehlgeschlagen:", "{ok} changed, {failed} failed:"],
  "batch.blocked": ["Gesperrte Absender: {senders}", "Blocked senders: {senders}"],
  "batch.error.conflict": ["wurde inzwischen geändert – bitte erneut versuchen", "was changed meanwhile – please try again"],
  "batch.error.forbidden": ["keine Berechtigung", "not allowed"], "batch.error.not_found": ["nicht gefunden", "not found"],
  "batch.error.validation_error": ["nicht möglich: {message}", "not possible: {message}"],
  // ticket
  "ticket.back": ["← Ticketliste", "← Tickets"], "ticket.prev": ["‹ Vorheriges", "‹ Previous"], "ticket.next": ["Nächstes ›", "Next ›"],
  "ticket.noprev": ["Kein vorheriges Ticket in der Liste.", "No previous ticket in the list."],
  "ticket.nonext": ["Kein weiteres Ticket in der Liste.", "No further ticket in the list."],
  "ticket.nosubject": ["(kein Betreff)", "(no subject)"], "ticket.thread": ["Verlauf", "Conversation"],
  "ticket.reply": ["Antworten", "Reply"], "ticket.comment": ["Kommentar", "Comment"], "ticket.close": ["Abschließen", "Close ticket"],
  "ticket.closed": ["{number} abgeschlossen.", "{number} closed."], "ticket.channel": ["Kanal: {channel}", "Channel: {channel}"],
  "ticket.created": ["erstellt", "created"], "ticket.properties": ["Eigenschaften", "Properties"],
  "ticket.status": ["Status", "Status"], "ticket.priority": ["Priorität", "Priority"], "ticket.queue": ["Warteschlange", "Queue"],
  "ticket.assignee": ["Bearbeiter", "Assignee"], "ticket.assignee.none": ["– niemand –", "– nobody –"], "ticket.assignme": ["Mir zuweisen", "Assign to me"],
  "ticket.tag": ["Tag", "Tag"], "ticket.tags": ["Tags", "Tags"], "ticket.tags.hint": ["durch Kommas getrennt", "separated by commas"],
  "ticket.due": ["Fällig am", "Due"], "ticket.customer": ["Kunde", "Customer"], "ticket.customer.email": ["E-Mail des Kunden", "Customer's e-mail"],
  "ticket.customer.name": ["Name des Kunden", "Customer's name"], "ticket.customerpage": ["Kundenseite öffnen", "Open customer page"],
  "ticket.project": ["Projekt", "Project"], "ticket.type": ["Typ", "Type"], "ticket.parent": ["Übergeordnetes Ticket", "Parent ticket"],
  "ticket.parent.hint": ["Ticketnummer, leer = keines", "ticket number, empty = none"], "ticket.flags": ["Markierungen", "Flags"],
  "ticket.mailbox": ["Postfach", "Mailbox"], "ticket.updated": ["Aktualisiert", "Updated"], "ticket.firstresponse": ["Erste Antwort", "First response"],
  "ticket.version": ["Version", "Version"], "ticket.related": ["Verknüpfte Tickets", "Related tickets"],
  "ticket.mergedinto": ["Dieses Ticket wurde zusammengeführt in", "This ticket was merged into"],
  "ticket.notfound": ["Ticket „{value}“ nicht gefunden.", "Ticket “{value}” not found."],
  "ticket.nomessages": ["Noch keine Nachrichten.", "No messages yet."], "ticket.events": ["Ereignisse ({n})", "Events ({n})"],
  "review.title": ["Zur Prüfung", "Needs review"], "review.claims": ["Diese Mail beansprucht Ticket", "This mail claims ticket"],
  "review.hint": ["Der Absender ist an jenem Ticket nicht beteiligt. Prüfen Sie, ob er berechtigt ist, und führen Sie die Tickets ggf. zusammen.", "The sender is not a participant of that ticket. Check whether they are entitled and merge the tickets if so."],
  "review.done": ["Prüfung erledigt", "Mark as reviewed"],
  "rel.parent": ["Übergeordnet", "Parent"], "rel.merged_into": ["Zusammengeführt in", "Merged into"], "rel.merged_from": ["Zusammengeführt aus", "Merged from"],
  "rel.claimed": ["Beansprucht", "Claims"], "rel.previous": ["Vorheriges Ticket", "Previous ticket"],
  "rel.split_into": ["Abgetrennt in", "Split into"], "rel.split_from": ["Abgetrennt aus", "Split from"],
  // forward, split, Bcc, answering a picked message (issue 14 part 2)
  "msg.answer": ["Antworten", "Reply"], "msg.forward": ["Weiterleiten", "Forward"], "msg.split": ["Als neues Ticket", "Split off"],
  "msg.forwardside": ["Weiterleitung", "Forward"], "fwd.ticket": ["Ticket weiterleiten", "Forward ticket"],
  "compose.bcc": ["Bcc", "Bcc"], "compose.bcc.hint": ["Blindkopie: steht nicht in der E-Mail, nur bei uns", "Blind copy: not in the mail, only kept here"],
  "compose.answering": ["Antwort auf die Nachricht von {from} ({at})", "Answering the message from {from} ({at})"],
  "compose.answer.newest": ["Stattdessen die neueste Kundennachricht beantworten", "Answer the customer's newest mail instead"],
  "fwd.title.msg": ["Nachricht weiterleiten", "Forward message"], "fwd.title.ticket": ["Ticket weiterleiten", "Forward ticket"],
  "fwd.intro.msg": ["Die Nachricht geht mit {number} im Betreff hinaus; Antworten kommen in dieses Ticket, ohne dass der Empfänger Beteiligter wird.", "The message goes out with {number} in the subject; answers come back to this ticket without the recipient becoming a participant."],
  "fwd.intro.ticket": ["Der ganze Verlauf mit dem Kunden (ohne interne Kommentare) geht mit {number} im Betreff hinaus.", "The whole conversation with the customer (no internal comments) goes out with {number} in the subject."],
  "fwd.note": ["Notiz", "Note"], "fwd.files": ["Anhänge mitsenden", "Send files along"], "fwd.eml": ["Original als .eml anhängen", "Attach the original as .eml"],
  "fwd.send": ["Weiterleiten", "Forward"], "fwd.sent": ["Weitergeleitet.", "Forwarded."],
  "fwd.conflict": ["Seit dem Öffnen ist Neues eingegangen (siehe Verlauf). Nichts wurde gesendet; erneut „Weiterleiten“ sendet trotzdem.", "Something new arrived since you opened it (see the thread). Nothing was sent; “Forward” again sends anyway."],
  "split.confirm": ["Diese Nachricht in ein neues Ticket abtrennen? Antworten darauf landen dann dort.", "Split this message off into a new ticket? Answers to it will go there."],
  "split.done": ["Neues Ticket {number} angelegt.", "New ticket {number} created."],
  "conflict.title": ["Jemand anderes hat dieses Ticket geändert.", "Someone else has changed this ticket."],
  // live socket: updates and presence
  "live.on": ["Live: Änderungen erscheinen sofort", "Live: changes appear at once"],
  "live.off": ["Nicht live: Ansicht wird alle 20 Sekunden aktualisiert", "Not live: the view refreshes every 20 seconds"],
  "live.viewing": ["{name} sieht sich das an", "{name} is viewing this"],
  "live.typing": ["{name} schreibt eine Antwort", "{name} is writing a reply"],
  "live.typing.mark": ["Antwort in Arbeit: {names}", "Reply being written: {names}"],
  "conflict.text": ["Ihre Änderung wurde nicht gespeichert (Stand {who}). Laden Sie das Ticket neu und wiederholen Sie die Änderung.", "Your change was not saved (as of {who}). Reload the ticket and apply your change again."],
  "conflict.reload": ["Neu laden", "Reload"],
  "merge.title": ["Zusammenführen", "Merge"], "merge.into": ["In Ticket", "Into ticket"], "merge.button": ["Zusammenführen", "Merge"],
  "merge.hint": ["Nachrichten wandern in das Zielticket, dieses wird abgeschlossen.", "Messages move to the target ticket; this one is closed."],
  "merge.confirm": ["{from} in {into} zusammenführen? Das lässt sich nicht rückgängig machen.", "Merge {from} into {into}? This cannot be undone."],
  "merge.done": ["Zusammengeführt in {into}.", "Merged into {into}."], "merge.self": ["Ein Ticket kann nicht in sich selbst zusammengeführt werden.", "A ticket cannot be merged into itself."],
  "msg.in": ["Nachricht von {from}", "Message from {from}"], "msg.out": ["Antwort an {from}", "Reply by {from}"],
  "msg.to": ["An", "To"], "msg.cc": ["Cc", "Cc"], "msg.system": ["System", "System"], "msg.attachments": ["Anhänge", "Attachments"],
  "msg.download": ["{name} herunterladen", "Download {name}"], "msg.autoreply": ["Automatische Antwort", "Auto-reply"],
  "msg.automatic": ["automatisch ({kind})", "automatic ({kind})"], "msg.sendfailed": ["Versand fehlgeschlagen", "Sending failed"],
  "msg.pending": ["wird gesendet", "sending"], "msg.spam": ["Spamverdacht", "Suspected spam"], "msg.virus": ["Virusverdacht", "Suspected virus"],
  "msg.fail": ["fehlgeschlagen", "failed"], "msg.defects": ["Mail fehlerhaft", "Damaged mail"],
  "note.kind": ["Interne Notiz", "Internal note"], "note.label": ["Interne Notiz von {author}", "Internal note by {author}"],
  "mail.frame": ["Inhalt der E-Mail", "Mail content"], "mail.frame.of": ["E-Mail von {from}", "Mail from {from}"],
  "mail.images.blocked": ["Externe Bilder wurden blockiert.", "External images were blocked."], "mail.images.load": ["Bilder laden", "Load images"],
  "mail.images.loaded": ["Externe Bilder geladen.", "External images loaded."], "mail.expand": ["Vergrößern", "Expand"],
  "mail.shrink": ["Verkleinern", "Shrink"], "mail.quote.show": ["Ganze Nachricht anzeigen", "Show whole message"],
  "mail.quote.hide": ["Zitat ausblenden", "Hide quoted text"], "mail.full": ["Vollständige Nachricht laden", "Load the complete message"],
  "ev.TicketCreated": ["erstellt", "created"], "ev.MessageAdded": ["Nachricht", "message"], "ev.StatusChanged": ["Status", "status"],
  "ev.TicketUpdated": ["geändert", "changed"], "ev.CommentAdded": ["Kommentar", "comment"], "ev.TicketMerged": ["zusammengeführt", "merged"],
  "ev.PersonalDataErased": ["personenbezogene Daten entfernt", "personal data erased"],
  "ev.MessageForwarded": ["weitergeleitet", "forwarded"], "ev.TicketSplit": ["aufgeteilt", "split"],
  "ev.ReminderSent": ["Erinnerung gesendet", "reminder sent"], "ev.DeadlineMissed": ["Frist verpasst", "deadline missed"],
  "field.status": ["Status", "status"], "field.priority": ["Priorität", "priority"], "field.queue": ["Warteschlange", "queue"],
  "field.assignee": ["Bearbeiter", "assignee"], "field.tags": ["Tags", "tags"], "field.due_at": ["Fällig", "due"], "field.type": ["Typ", "type"],
  "field.project": ["Projekt", "project"], "field.customer_email": ["Kunden-E-Mail", "customer e-mail"], "field.customer_name": ["Kundenname", "customer name"],
  "field.parent_id": ["übergeordnet", "parent"], "field.private": ["privat", "private"], "field.personal": ["persönlich", "personal"],
  "field.prio": ["Prio", "prio"], "field.unread": ["ungelesen", "unread"], "field.review": ["Prüfung", "review"],
  "field.merged_into": ["zusammengeführt in", "merged into"], "field.closed_at": ["abgeschlossen am", "closed at"],
  "channel.email": ["E-Mail", "e-mail"], "channel.phone": ["Telefon", "phone"], "channel.walk_in": ["persönlich vor Ort", "walk-in"],
  "channel.web": ["Web", "web"], "channel.letter": ["Brief", "letter"], "channel.chat": ["Chat", "chat"], "channel.other": ["Sonstiges", "other"],
  "channel.contact_form": ["Kontaktformular", "contact form"],
  // composer
  "compose.title": ["Antworten oder kommentieren", "Reply or comment"], "compose.mode": ["Art", "Kind"],
  "compose.reply": ["Antwort an Kunden", "Reply to customer"], "compose.comment": ["Interner Kommentar", "Internal comment"],
  "compose.to": ["An", "To"], "compose.to.hint": ["Standard: alle Empfänger der beantworteten Mail außer uns", "default: everyone on the mail answered but us"],
  "compose.cc": ["Cc", "Cc"], "compose.cc.hint": ["Adressen durch Kommas getrennt", "addresses separated by commas"],
  "compose.template.lang": ["Sprache der Vorlage", "Template language"], "compose.template": ["Vorlage", "Template"],
  "compose.template.hint": ["Variablen wie {NAME} füllt der Server beim Senden aus.", "The server fills in variables such as {NAME} when sending."],
  "compose.template.choose": ["– Vorlage einfügen –", "– insert template –"], "compose.template.none": ["keine Vorlagen", "no templates"],
  "compose.body": ["Nachricht", "Message"], "compose.files": ["Anhänge", "Attachments"], "compose.files.hint": ["höchstens 10 MB je Datei", "at most 10 MB per file"],
  "compose.original": ["Originalnachricht anhängen", "Attach original message"], "compose.submitas": ["Einreichen als", "Submit as"],
  "compose.send": ["Senden", "Send"], "compose.discard": ["Entwurf verwerfen", "Discard draft"],
  "compose.restored": ["Entwurf wiederhergestellt.", "Draft restored."], "compose.empty": ["Bitte einen Text eingeben.", "Please enter a text."],
  "compose.norecipient": ["Bitte mindestens einen Empfänger angeben.", "Please give at least one recipient."],
  "compose.wait": ["Bitte warten, bis alle Anhänge hochgeladen sind.", "Please wait until all attachments are uploaded."],
  "compose.sent": ["Antwort gesendet – Status: {status}.", "Reply sent – status: {status}."],
  "compose.sendfailed": ["Der Versand ist fehlgeschlagen. Die Nachricht ist gespeichert und kann erneut gesendet werden.", "Sending failed. The message is stored and can be sent again."],
  "compose.uploading": ["{name} wird hochgeladen", "uploading {name}"], "compose.uploaded": ["hochgeladen", "uploaded"],
  "compose.upload.failed": ["Hochladen fehlgeschlagen (Verbindung zum Speicher blockiert).", "Upload failed (connection to storage blocked)."],
  "compose.file.toolarge": ["zu groß (max. {max})", "too large (max. {max})"], "compose.file.remove": ["{name} entfernen", "Remove {name}"],
  "compose.comment.body": ["Interner Kommentar", "Internal comment"],
  "compose.comment.hint": ["Nur für das Team sichtbar, wird nie gemailt. @benutzername erwähnt Kollegen.", "Only visible to the team, never mailed. @username mentions colleagues."],
  "compose.comment.tags": ["Tags hinzufügen", "Add tags"], "compose.comment.save": ["Kommentar speichern", "Save comment"],
  "compose.comment.saved": ["Kommentar gespeichert.", "Comment saved."],
  // new ticket
  "new.title": ["Neues Ticket erfassen", "Record a new ticket"],
  "new.intro": ["Für Anrufe, Besuche, Briefe: das Ticket wird wie eine Mail angelegt.", "For calls, visits, letters: the ticket is filed like a mail."],
  "new.channel": ["Kanal", "Channel"], "new.subject": ["Betreff", "Subject"], "new.body": ["Anliegen", "Request"],
  "new.body.hint": ["Was der Kunde gesagt hat", "What the customer said"], "new.queue.default": ["– Standard –", "– default –"],
  "new.mailbox": ["Postfach (Absender)", "Mailbox (sender)"], "new.mailbox.default": ["– Standard –", "– default –"],
  "new.sendmail": ["Den Text auch als erste Mail an den Kunden senden", "Also send the text to the customer as the first mail"],
  "new.sendmail.hint": ["Braucht eine Kunden-E-Mail.", "Needs a customer e-mail."], "new.submit": ["Ticket anlegen", "Create ticket"],
  "new.missing": ["Bitte Betreff und Anliegen ausfüllen.", "Please fill in subject and request."],
  "new.needsemail": ["Für eine Mail wird die E-Mail des Kunden gebraucht.", "Sending a mail needs the customer's e-mail."],
  "new.created": ["Ticket {number} angelegt.", "Ticket {number} created."],
  // customers
  "customers.title": ["Kunden", "Customers"], "customers.search": ["Suche", "Search"], "customers.search.placeholder": ["Name oder E-Mail", "Name or e-mail"],
  "customers.search.hint": ["findet Namen, die so beginnen", "finds names starting with this"],
  "customers.count": ["{n} Kunden", "{n} customers"], "customers.count.one": ["1 Kunde", "1 customer"], "customers.empty": ["Keine Kunden gefunden.", "No customers found."],
  "customers.back": ["← Kunden", "← Customers"], "customer.new": ["Neuer Kunde", "New customer"], "customer.create": ["Kunde anlegen", "Create customer"],
  "customer.email": ["E-Mail", "E-mail"], "customer.name": ["Name", "Name"], "customer.company": ["Firma", "Company"], "customer.phone": ["Telefon", "Phone"],
  "customer.external": ["Kundennummer", "Customer number"], "customer.external.hint": ["z. B. aus dem ERP", "e.g. from the ERP"],
  "customer.notes": ["Notizen", "Notes"], "customer.tickets": ["Tickets", "Tickets"], "customer.last": ["Letztes Ticket", "Last ticket"],
  "customer.data": ["Stammdaten", "Details"], "customer.newticket": ["Ticket für diesen Kunden", "Ticket for this customer"],
  // reports
  "reports.title": ["Berichte", "Reports"], "reports.start": ["Von", "From"], "reports.end": ["Bis", "To"],
  "reports.granularity": ["Einteilung", "Grouping"], "reports.day": ["Tage", "days"], "reports.week": ["Wochen", "weeks"],
  "reports.show": ["Anzeigen", "Show"], "reports.presets": ["Zeiträume", "Periods"], "reports.last": ["letzte {n} Tage", "last {n} days"],
  "reports.range": ["Zeitraum {start} – {end}", "Period {start} – {end}"], "reports.volume": ["Aufkommen", "Volume"],
  "reports.first_response": ["Erste Antwort", "First response"], "reports.resolution": ["Lösungszeit", "Resolution time"],
  "reports.median": ["Median", "Median"], "reports.p90": ["90 %-Wert", "90th percentile"], "reports.basis": ["aus {n} Tickets", "from {n} tickets"], "reports.basis.one": ["aus 1 Ticket", "from 1 ticket"],
  "reports.backlog.status": ["Bestand nach Status", "Backlog by status"], "reports.backlog.queue": ["Bestand nach Warteschlange", "Backlog by queue"],
  "reports.backlog.agent": ["Bestand nach Bearbeiter", "Backlog by agent"], "reports.autoreplies": ["Automatische Antworten", "Auto-replies"],
  "reports.table": ["Zahlen als Tabelle", "Numbers as a table"], "reports.period": ["Zeitraum", "Period"], "reports.key": ["Wert", "Item"],
  "reports.count": ["Anzahl", "Count"], "reports.hours": ["Dauer", "Duration"], "reports.nodata": ["Keine Daten im Zeitraum.", "No data in this period."],
  "stat.tickets_created": ["Neue Tickets", "New tickets"], "stat.messages_in": ["Eingegangene Nachrichten", "Messages in"],
  "stat.replies": ["Antworten", "Replies"], "stat.closed": ["Abgeschlossen", "Closed"], "stat.reopened": ["Wieder geöffnet", "Reopened"],
  "stat.autoreplies_sent": ["Auto-Antworten gesendet", "Auto-replies sent"], "stat.autoreplies_suppressed": ["Auto-Antworten unterdrückt", "Auto-replies suppressed"],
  "unit.h": ["{n} Std.", "{n} h"], "unit.d": ["{n} Tg.", "{n} d"], "unit.min": ["{n} Min.", "{n} min"],
  // admin
  "adm.mailboxes": ["Postfächer", "Mailboxes"], "adm.queues": ["Warteschlangen", "Queues"], "adm.rules": ["Regeln", "Rules"],
  "adm.templates": ["Vorlagen", "Templates"], "adm.agents": ["Mitarbeiter", "Agents"], "adm.settings": ["Einstellungen", "Settings"],
  "adm.mailboxes.one": ["Postfach", "Mailbox"], "adm.queues.one": ["Warteschlange", "Queue"], "adm.rules.one": ["Regel", "Rule"],
  "adm.templates.one": ["Vorlage", "Template"], "adm.agents.one": ["Mitarbeiter", "Agent"], "adm.settings.one": ["Einstellungen", "Settings"],
  "adm.new": ["Neu anlegen", "Add"], "adm.new.title": ["{what} anlegen", "Add {what}"], "adm.back": ["← Übersicht", "← Overview"],
  "adm.notfound": ["Nicht gefunden.", "Not found."], "adm.delete.confirm": ["„{name}“ wirklich löschen?", "Really delete “{name}”?"],
  "adm.id": ["Kennung", "Identifier"], "adm.id.hint": ["Kleinbuchstaben, Ziffern, - und _; später nicht änderbar", "lower case letters, digits, - and _; cannot be changed later"],
  "adm.language": ["Sprache", "Language"], "adm.active": ["aktiv", "active"],
  "adm.remind": ["Erinnern nach (Tagen)", "Remind after (days)"], "adm.closeafter": ["Schließen nach (Tagen)", "Close after (days)"],
  "adm.col.id": ["Kennung", "Identifier"], "adm.col.address": ["Adresse", "Address"], "adm.col.name": ["Name", "Name"],
  "adm.col.autoreply": ["Auto-Antwort", "Auto-reply"], "adm.col.responsible": ["Zuständig", "Responsible"], "adm.col.language": ["Sprache", "Language"],
  "adm.col.kind": ["Art", "Kind"], "adm.col.order": ["Reihenfolge", "Order"], "adm.col.enabled": ["aktiv", "enabled"], "adm.col.actions": ["Aktionen", "Actions"],
  "adm.mb.address": ["Empfangsadresse", "Receiving address"], "adm.mb.name": ["Anzeigename", "Display name"],
  "adm.mb.queue": ["Standard-Warteschlange", "Default queue"], "adm.mb.project": ["Standard-Projekt", "Default project"],
  "adm.mb.outgoing": ["Absenderadresse", "Sender address"], "adm.mb.outgoing.hint": ["leer = Empfangsadresse", "empty = receiving address"],
  "adm.mb.importfrom": ["E-Mails ab Datum", "Mail from date"], "adm.mb.importfrom.hint": ["Ältere Mails werden abgeschlossen abgelegt, ohne Auto-Antwort.", "Older mail is stored closed, without auto-reply."],
  "adm.mb.closeonimport": ["Importierte Tickets abschließen", "Close imported tickets"],
  "adm.mb.autoreply": ["Automatische Eingangsbestätigung", "Automatic acknowledgement"], "adm.mb.autoreply.on": ["Auto-Antwort senden", "Send auto-reply"],
  "adm.mb.subject.de": ["Betreff (Deutsch)", "Subject (German)"], "adm.mb.body.de": ["Text (Deutsch)", "Text (German)"],
  "adm.mb.subject.en": ["Betreff (Englisch)", "Subject (English)"], "adm.mb.body.en": ["Text (Englisch)", "Text (English)"],
  "adm.variables": ["Variablen (klicken zum Einfügen):", "Variables (click to insert):"], "adm.preview": ["Vorschau mit Beispielwerten:", "Preview with sample values:"],
  "adm.q.name": ["Name", "Name"], "adm.q.responsible": ["Zuständige Mitarbeiter", "Responsible agents"],
  "adm.q.responsible.hint": ["Niemand ausgewählt = alle Mitarbeiter sehen die Tickets.", "Nobody selected = every agent sees the tickets."],
  "adm.q.notify": ["Benachrichtigung an", "Notify address"], "adm.q.firstresponse": ["Erste Antwort binnen (Std.)", "First response within (h)"],
  "adm.tpl.name": ["Name", "Name"], "adm.tpl.kind": ["Art", "Kind"], "adm.tpl.subject": ["Betreff", "Subject"], "adm.tpl.body": ["Text", "Text"],
  "adm.tpl.mailboxes": ["Nur für Postfächer", "Only for mailboxes"], "adm.tpl.projects": ["Nur für Projekte", "Only for projects"],
  "adm.tpl.scope.hint": ["Nichts ausgewählt = für alle.", "Nothing selected = for all."],
  "adm.tpl.kind.reply": ["Antwort", "Reply"], "adm.tpl.kind.reminder": ["Erinnerung", "Reminder"], "adm.tpl.kind.close": ["Abschluss", "Closing"],
  "adm.tpl.kind.autoreply": ["Auto-Antwort", "Auto-reply"],
  "adm.rule.name": ["Name", "Name"], "adm.rule.order": ["Reihenfolge", "Order"], "adm.rule.order.hint": ["kleinere Zahlen zuerst", "lower numbers first"],
  "adm.rule.enabled": ["aktiv", "enabled"], "adm.rule.match": ["Bedingungen", "Conditions"],
  "adm.rule.match.all": ["alle müssen zutreffen", "all must match"], "adm.rule.match.any": ["eine genügt", "any is enough"],
  "adm.rule.conditions": ["Wenn …", "If …"], "adm.rule.actions": ["… dann", "… then"], "adm.rule.unchanged": ["– nicht ändern –", "– unchanged –"],
  "adm.rule.spam": ["Spam (Papierkorb)", "spam (trash)"], "adm.rule.private": ["privat", "private"], "adm.rule.personal": ["persönlich", "personal"],
  "adm.rule.prio": ["Prio", "prio"], "adm.rule.suppress_autoreply": ["keine Auto-Antwort", "no auto-reply"], "adm.rule.stop": ["weitere Regeln überspringen", "stop processing rules"],
  "adm.rule.queue": ["Warteschlange", "queue"], "adm.rule.status": ["Status", "status"], "adm.rule.priority": ["Priorität", "priority"],
  "adm.rule.tags": ["Tags", "tags"], "adm.rule.assignee": ["Bearbeiter", "assignee"], "adm.rule.project": ["Projekt", "project"], "adm.rule.type": ["Typ", "type"],
  "adm.cond.field": ["Feld", "Field"], "adm.cond.op": ["Vergleich", "Comparison"], "adm.cond.value": ["Wert", "Value"], "adm.cond.header": ["Kopfzeile", "Header"],
  "adm.cond.add": ["Bedingung hinzufügen", "Add condition"], "adm.cond.remove": ["Bedingung {n} entfernen", "Remove condition {n}"],
  "cond.from": ["Absender", "sender"], "cond.from_name": ["Absendername", "sender name"], "cond.from_domain": ["Absender-Domain", "sender domain"],
  "cond.to": ["An", "to"], "cond.recipient": ["Empfänger (alle)", "recipient (any)"], "cond.cc": ["Cc", "cc"], "cond.subject": ["Betreff", "subject"],
  "cond.body": ["Text", "body"], "cond.mailbox": ["Postfach", "mailbox"], "cond.has_attachment": ["hat Anhang", "has attachment"],
  "cond.attachment_name": ["Anhangname", "attachment name"], "cond.spam_verdict": ["Spam-Prüfung", "spam verdict"],
  "cond.virus_verdict": ["Viren-Prüfung", "virus verdict"], "cond.spf": ["SPF", "SPF"], "cond.dkim": ["DKIM", "DKIM"], "cond.dmarc": ["DMARC", "DMARC"],
  "cond.header": ["Kopfzeile", "header"],
  "op.contains": ["enthält", "contains"], "op.equals": ["ist gleich", "equals"], "op.starts_with": ["beginnt mit", "starts with"],
  "op.ends_with": ["endet mit", "ends with"], "op.regex": ["passt auf Regex", "matches regex"], "op.not_contains": ["enthält nicht", "does not contain"],
  "op.exists": ["ist vorhanden", "exists"],
  "adm.dry.title": ["Probelauf", "Dry run"], "adm.dry.intro": ["Welche Regel greift für diese Mail – ohne etwas zu speichern?", "Which rule fires for this mail – without storing anything?"],
  "adm.dry.sender": ["Absender", "Sender"], "adm.dry.sendername": ["Absendername", "Sender name"], "adm.dry.to": ["An", "To"],
  "adm.dry.subject": ["Betreff", "Subject"], "adm.dry.body": ["Text", "Body"], "adm.dry.headers": ["Kopfzeilen (Name: Wert je Zeile)", "Headers (Name: value per line)"],
  "adm.dry.rawtoggle": ["… oder eine ganze Mail (.eml) einfügen", "… or paste a whole mail (.eml)"], "adm.dry.raw": ["Rohe Mail", "Raw mail"],
  "adm.dry.raw.placeholder": ["From: …\nSubject: …\n\nText", "From: …\nSubject: …\n\nText"],
  "adm.dry.usedraft": ["Mit dieser (ungespeicherten) Regel testen", "Test with this (unsaved) rule"], "adm.dry.run": ["Testen", "Test"],
  "adm.dry.needsender": ["Bitte einen Absender oder eine ganze Mail angeben.", "Please give a sender or a whole mail."],
  "adm.dry.fired": ["Greifende Regeln", "Rules that fire"], "adm.dry.none": ["Keine Regel greift.", "No rule fires."],
  "adm.dry.result": ["Ergebnis", "Result"], "adm.dry.autoreply": ["Auto-Antwort", "Auto-reply"],
  "adm.agent.new": ["Neuer Mitarbeiter", "New agent"], "adm.agent.create": ["Anlegen und einladen", "Create and invite"],
  "adm.agent.username": ["Benutzername", "Username"], "adm.agent.name": ["Name", "Name"], "adm.agent.email": ["E-Mail", "E-mail"],
  "adm.agent.role": ["Rolle", "Role"], "adm.agent.queues": ["Zusätzliche Warteschlangen", "Extra queues"],
  "adm.agent.queues.hint": ["Zugang zu eingeschränkten Warteschlangen", "access to restricted queues"], "adm.agent.language": ["Sprache", "Language"],
  "adm.agent.active": ["aktiv (darf sich anmelden)", "active (may log in)"], "adm.agent.password": ["Vorläufiges Passwort", "Temporary password"],
  "adm.agent.password.hint": ["optional, mind. 12 Zeichen; sonst erzeugt Cognito eines und schickt eine Einladung", "optional, at least 12 characters; otherwise Cognito creates one and sends an invitation"],
  "role.admin": ["Administrator", "Administrator"], "role.agent": ["Mitarbeiter", "Agent"],
  "adm.set.company": ["Firmenname", "Company name"], "adm.set.number": ["Nummernformat", "Number format"],
  "adm.set.number.hint": ["z. B. T-{year}-{seq:06d}", "e.g. T-{year}-{seq:06d}"], "adm.set.defaultqueue": ["Standard-Warteschlange", "Default queue"],
  "adm.set.language": ["Standardsprache", "Default language"], "adm.set.block": ["Externe Inhalte (Bilder) in Mails blockieren", "Block external content (images) in mail"],
  "adm.set.block.hint": ["Schützt vor Tracking-Pixeln; Bilder lassen sich je Nachricht laden.", "Protects against tracking pixels; images can be loaded per message."],
  "adm.set.autoreply": ["Auto-Antworten", "Auto-replies"], "adm.set.window": ["Höchstens eine je Absender in (Std.)", "At most one per sender within (h)"],
  "adm.set.maxperday": ["Höchstens je Absender und Tag", "At most per sender and day"], "adm.set.reopen": ["Wiedereröffnen bis (Tage nach Abschluss)", "Reopen up to (days after closing)"],
  "adm.set.reopen.hint": ["Spätere Antworten werden ein neues, verknüpftes Ticket.", "Later answers become a new, linked ticket."],
  "adm.set.autoclose": ["Automatisch schließen (warten auf Kunde)", "Autoclose (waiting for customer)"],
  "adm.set.sendreminder": ["Erinnerung an den Kunden senden", "Send a reminder to the customer"], "adm.set.sendclose": ["Abschlussmail senden", "Send a closing mail"],
  "adm.set.raise": ["Priorität bei Überfälligkeit erhöhen", "Raise priority when overdue"], "adm.set.customers": ["Kunden", "Customers"],
  "adm.set.links": ["Link zum Ticket in Antworten", "Ticket link in replies"], "adm.set.links.hint": ["Kunden sehen ihr Ticket ohne Anmeldung.", "Customers see their ticket without logging in."],
  "adm.set.linkdays": ["Link gültig (Tage)", "Link valid (days)"], "adm.set.signature": ["Signatur", "Signature"],
  "adm.set.signature.hint": ["wird an jede Antwort angehängt; Variablen erlaubt", "appended to every reply; variables allowed"],
  // public pages
  // issue 12 part 6: the event list as prose ("evp.*" sentences per event kind, "reason.*" per reason code of
  // domain/reasons.py; tests/unit/test_event_prose.py checks both languages for every kind and code)
  "evp.who.system": ["Das System", "The system"], "evp.who.customer": ["Der Kunde", "The customer"],
  "evp.who.agent": ["Ein Mitarbeiter per E-Mail", "An agent by e-mail"],
  "evp.who.third_party": ["Der Empfänger einer Weiterleitung", "A forward's recipient"],
  "evp.in.forward": ["Antwort von {from} auf eine Weiterleitung eingegangen.", "Answer from {from} to a forward received."],
  "evp.forwarded.msg": ["{who} hat eine Nachricht an {to} weitergeleitet.", "{who} forwarded a message to {to}."],
  "evp.forwarded.ticket": ["{who} hat das Ticket an {to} weitergeleitet.", "{who} forwarded the ticket to {to}."],
  "evp.split.into": ["{who} hat eine Nachricht in das neue Ticket {target} abgetrennt.", "{who} split a message off into the new ticket {target}."],
  "evp.split.from": ["{who} hat dieses Ticket aus einer Nachricht von {source} abgetrennt.", "{who} split this ticket off from a message of {source}."],
  "evp.created.mail": ["Ticket aus der E-Mail von {customer} erstellt (Warteschlange {queue}).", "Ticket created from the e-mail of {customer} (queue {queue})."],
  "evp.created.channel": ["Ticket über {channel} von {customer} erstellt (Warteschlange {queue}).", "Ticket created via {channel} by {customer} (queue {queue})."],
  "evp.created.by": ["{who} hat das Ticket angelegt ({channel}, Warteschlange {queue}).", "{who} created the ticket ({channel}, queue {queue})."],
  "evp.autoreply.sent": ["Eine Eingangsbestätigung geht an den Kunden.", "An acknowledgement goes to the customer."],
  "evp.autoreply.none": ["Keine Eingangsbestätigung: {reason}", "No acknowledgement: {reason}"],
  "evp.rules": ["Angewendete Regeln: {names}.", "Rules applied: {names}."],
  "evp.in": ["Nachricht von {from} eingegangen.", "Message from {from} received."],
  "evp.in.web": ["{who} hat über die Kundenseite geantwortet.", "{who} answered on the customer page."],
  "evp.out": ["{who} hat an {to} geantwortet.", "{who} replied to {to}."],
  "evp.out.none": ["{who} hat geantwortet.", "{who} replied."],
  "evp.status": ["{who} hat den Status von „{from}“ auf „{to}“ geändert.", "{who} changed the status from “{from}” to “{to}”."],
  "evp.assigned": ["{who} hat das Ticket {to} zugewiesen.", "{who} assigned the ticket to {to}."],
  "evp.unassigned": ["{who} hat die Zuweisung an {from} aufgehoben.", "{who} unassigned {from}."],
  "evp.changed": ["{who} hat {field} von {from} auf {to} geändert.", "{who} changed {field} from {from} to {to}."],
  "evp.set": ["{who} hat {field} auf {to} gesetzt.", "{who} set {field} to {to}."],
  "evp.cleared": ["{who} hat {field} entfernt ({from}).", "{who} removed {field} ({from})."],
  "evp.flag.on": ["{who} hat „{field}“ eingeschaltet.", "{who} turned “{field}” on."],
  "evp.flag.off": ["{who} hat „{field}“ ausgeschaltet.", "{who} turned “{field}” off."],
  "evp.comment": ["{who} hat einen internen Kommentar geschrieben.", "{who} wrote an internal comment."],
  "evp.comment.mentions": ["{who} hat einen internen Kommentar geschrieben und {names} erwähnt.", "{who} wrote an internal comment mentioning {names}."],
  "evp.merged.into": ["{who} hat dieses Ticket mit {target} zusammengeführt ({n} Nachrichten verschoben).", "{who} merged this ticket into {target} ({n} messages moved)."],
  "evp.merged.from": ["{who} hat {source} in dieses Ticket zusammengeführt ({n} Nachrichten übernommen).", "{who} merged {source} into this ticket ({n} messages taken over)."],
  "evp.reminder": ["Erinnerung an den Kunden gesendet (wartet seit {days} Tagen).", "Reminder sent to the customer (waiting for {days} days)."],
  "evp.reminder.nomail": ["Erinnerung fällig (wartet seit {days} Tagen), ohne E-Mail.", "Reminder due (waiting for {days} days), no e-mail sent."],
  "evp.erased": ["Die Daten einer Person wurden aus diesem Ticket entfernt (Datenschutz).", "A person's data was taken out of this ticket (data protection)."],
  "evp.deadline": ["Frist verpasst: {kinds}.", "Deadline missed: {kinds}."],
  "evp.deadline.due": ["Fälligkeit", "due date"], "evp.deadline.response": ["erste Antwort", "first response"],
  "evp.deadline.notified": ["Benachrichtigt: {names}.", "Notified: {names}."],
  "evp.deadline.priority": ["Priorität von {from} auf {to} erhöht.", "Priority raised from {from} to {to}."],
  "evp.other": ["{who}: {kind}", "{who}: {kind}"],
  "evp.nobody": ["niemand", "nobody"], "evp.why": ["Begründung", "Why"],
  "reason.threading.no_match": ["Keine Referenz und keine Ticketnummer passt zu einem Ticket: neues Ticket.", "No reference or ticket number matches a ticket: a new ticket."],
  "reason.threading.ref_ours": ["Antwort auf unsere Nachricht <{ref}>.", "Reply to our message <{ref}>."],
  "reason.threading.ref_forward": ["Antwort auf unsere Weiterleitung <{ref}>.", "Reply to our forward <{ref}>."],
  "reason.threading.forward_side": ["Antwort auf eine Weiterleitung: der Absender wird kein Beteiligter des Kunden-Tickets.", "An answer to a forward: its sender does not become a participant."],
  "reason.threading.ref_customer": ["Bezieht sich auf die Nachricht des Kunden <{ref}>.", "Refers to the customer's message <{ref}>."],
  "reason.threading.subject_number": ["Der Betreff nennt das Ticket {number}.", "The subject names ticket {number}."],
  "reason.threading.gone": ["Dieses Ticket gibt es nicht mehr.", "That ticket no longer exists."],
  "reason.threading.merged": ["Jenes Ticket wurde mit {number} zusammengeführt.", "That ticket was merged into {number}."],
  "reason.threading.sender_unverified": ["Absender {sender} hat die Prüfung nicht bestanden ({verdict}): nicht als Beteiligter von {number} vertraut.", "Sender {sender} failed authentication ({verdict}): not trusted as a participant of {number}."],
  "reason.threading.not_participant": ["Absender {sender} ist kein Beteiligter von {number}.", "Sender {sender} is not a participant of {number}."],
  "reason.threading.participant": ["Der Absender ist ein Beteiligter.", "The sender is a participant."],
  "reason.threading.proof": ["Beleg: Antwort auf unsere E-Mail.", "Proof: a reply to our e-mail."],
  "reason.threading.too_old": ["{number} ist seit mehr als {days} Tagen abgeschlossen: neues Ticket.", "{number} was closed more than {days} days ago: a new ticket."],
  "reason.threading.duplicate_content": ["<{message_id}> mit diesem Inhalt kam schon einmal an.", "<{message_id}> with this content was received before."],
  "reason.threading.own_echo": ["<{message_id}> ist eine Nachricht von uns.", "<{message_id}> is a message we sent."],
  "reason.threading.duplicate": ["<{message_id}> kam schon einmal an.", "<{message_id}> was received before."],
  "reason.threading.quarantine": ["Quarantäne: ein eigenes Ticket, keinem anderen zugeordnet.", "Quarantine: a ticket of its own, not threaded."],
  "reason.threading.web_form": ["Der Absender ist nicht bestätigt (Webformular).", "The sender is not verified (web form)."],
  "reason.threading.vanished": ["Das Ticket ist verschwunden.", "The ticket vanished."],
  "reason.autoreply.allowed": ["Eingangsbestätigung erlaubt.", "Acknowledgement allowed."],
  "reason.autoreply.off": ["Die Eingangsbestätigung ist für dieses Postfach ausgeschaltet.", "The acknowledgement is off for this mailbox."],
  "reason.autoreply.automatic": ["Automatische E-Mail ({kind}).", "Automatic mail ({kind})."],
  "reason.autoreply.no_sender": ["Keine Absenderadresse.", "No sender address."],
  "reason.autoreply.own_address": ["Der Absender ist eine unserer eigenen Adressen.", "The sender is one of our own addresses."],
  "reason.autoreply.own_domain": ["Der Absender gehört zu unserer eigenen Domain.", "The sender is in our own domain."],
  "reason.autoreply.loop": ["Die Message-ID stammt aus unserer eigenen Domain (Schleife).", "The Message-ID is from our own domain (loop)."],
  "reason.autoreply.spam": ["Spamverdacht.", "Suspected spam."], "reason.autoreply.virus": ["Virusverdacht.", "Suspected virus."],
  "reason.autoreply.unverified": ["Der Absender hat die Prüfung nicht bestanden ({verdict}): keine Antwort an eine womöglich gefälschte Adresse.", "The sender failed authentication ({verdict}): no reply to a possibly forged address."],
  "reason.autoreply.suppressed": ["Diese Adresse bekommt keine Eingangsbestätigungen mehr ({why}).", "This address gets no more acknowledgements ({why})."],
  "reason.autoreply.rule": ["Eine Regel unterdrückt die Eingangsbestätigung.", "A rule suppresses the acknowledgement."],
  "reason.autoreply.stored_closed": ["Das Ticket wurde abgeschlossen gespeichert (Import).", "The ticket is stored closed (import)."],
  "reason.autoreply.window": ["Dieser Absender hat vor weniger als {hours} Stunden schon eine bekommen.", "This sender got one less than {hours} hours ago."],
  "reason.autoreply.daily_cap": ["Dieser Absender hat heute schon {sent} bekommen (Tageslimit {cap}).", "This sender got {sent} today already (daily cap {cap})."],
  "reason.autoreply.race": ["Im selben Moment wurde schon eine an diesen Absender gespeichert.", "Another one to this sender was stored at the same moment."],
  "reason.rules.timeout": ["Regel „{rule}“: {condition} brauchte zu lange und zählt als nicht erfüllt.", "Rule “{rule}”: {condition} took too long and counted as not matching."],
  "reason.status.customer_replied": ["Der Kunde hat geantwortet.", "The customer answered."],
  "reason.status.customer_replied_web": ["Der Kunde hat auf der Kundenseite geantwortet.", "The customer answered on the customer page."],
  "reason.status.reply": ["Mit der Antwort eingereicht.", "Submitted with the reply."],
  "reason.status.batch": ["Sammelaktion ({action}).", "Batch action ({action})."],
  "reason.status.autoclose": ["Abgeschlossen, da der Kunde nicht mehr geantwortet hat.", "Closed: the customer did not answer."],
  "reason.automation.fired": ["Auslöser {trigger} hat bei {event} gegriffen.", "Trigger {trigger} fired on {event}."],
  "reason.automation.condition": ["Auslöser {trigger}: {condition} trifft nicht zu.", "Trigger {trigger}: {condition} does not hold."],
  "reason.automation.mail_condition": ["Auslöser {trigger}: {field} der Mail passt nicht.", "Trigger {trigger}: the mail's {field} does not match."],
  "reason.automation.once": ["Auslöser {trigger} hat in diesem Lauf schon gegriffen.", "Trigger {trigger} already fired in this run."],
  "reason.automation.own_change": ["Auslöser {trigger} greift nicht bei seiner eigenen Änderung.", "Trigger {trigger} does not fire on its own change."],
  "reason.automation.depth": ["Auslöser {trigger} nicht ausgeführt: mehr als {limit} Auslöser tief.", "Trigger {trigger} not run: more than {limit} triggers deep."],
  "reason.automation.hours_inside": ["Auslöser {trigger} nicht ausgeführt: er gilt nur innerhalb der Geschäftszeiten.", "Trigger {trigger} not run: it runs only inside business hours."],
  "reason.automation.hours_outside": ["Auslöser {trigger} nicht ausgeführt: er gilt nur außerhalb der Geschäftszeiten.", "Trigger {trigger} not run: it runs only outside business hours."],
  "reason.automation.stop": ["Auslöser {trigger} beendet die folgenden Auslöser.", "Trigger {trigger} stops the triggers after it."],
  "reason.automation.set": ["{field} auf {value} gesetzt.", "{field} set to {value}."],
  "reason.automation.add_comment": ["Interner Kommentar hinzugefügt: {value}", "Internal comment added: {value}"],
  "reason.automation.notify": ["Benachrichtigt: {value}", "Notified: {value}"],
  "reason.automation.send_template": ["Vorlage {value} an den Kunden gesendet.", "Template {value} mailed to the customer."],
  "reason.automation.publish": ["Ereignis {value} veröffentlicht.", "Event {value} published."],
  "reason.assignment.off": ["Queue {queue} weist nicht automatisch zu.", "Queue {queue} assigns nobody automatically."],
  "reason.assignment.nobody": ["Queue {queue}: niemand ist verfügbar (alle abwesend oder nicht angemeldet).", "Queue {queue}: no agent is available (all away or not present)."],
  "reason.assignment.round_robin": ["{agent} zugewiesen: als Nächste(r) an der Reihe in Queue {queue}.", "Assigned to {agent}: next in turn in queue {queue}."],
  "reason.assignment.least_open": ["{agent} zugewiesen: die wenigsten offenen Tickets in Queue {queue} ({open}).", "Assigned to {agent}: fewest open tickets in queue {queue} ({open})."],
  "reason.sla.policy": ["SLA-Richtlinie {name} gilt (Queue {queue}, Priorität {priority}).", "SLA policy {name} applies (queue {queue}, priority {priority})."],
  "reason.sla.no_policy": ["Keine SLA-Richtlinie gilt (Queue {queue}, Priorität {priority}).", "No SLA policy applies (queue {queue}, priority {priority})."],
  "reason.sla.paused": ["Die Uhr steht, solange das Ticket {status} ist.", "The clock is paused while the ticket is {status}."],
  "reason.sla.cancelled": ["Das Ticket ist {status}: es ist nichts mehr offen.", "The ticket is {status}: nothing is owed any more."],
  "reason.sla.first_response.running": ["Erste Antwort: noch {minutes} Geschäftsminuten.", "First response: {minutes} business minutes left."],
  "reason.sla.first_response.warning": ["Erste Antwort: nur noch {minutes} Geschäftsminuten.", "First response: only {minutes} business minutes left."],
  "reason.sla.first_response.breached": ["Erste Antwort: Ziel von {hours} Geschäftsstunden verfehlt.", "First response: the target of {hours} business hours is missed."],
  "reason.sla.first_response.late": ["Erste Antwort: nach dem Ziel von {hours} Geschäftsstunden beantwortet.", "First response: answered after the target of {hours} business hours."],
  "reason.sla.first_response.met": ["Erste Antwort: innerhalb von {hours} Geschäftsstunden beantwortet.", "First response: answered within {hours} business hours."],
  "reason.sla.next_response.running": ["Nächste Antwort: noch {minutes} Geschäftsminuten.", "Next response: {minutes} business minutes left."],
  "reason.sla.next_response.warning": ["Nächste Antwort: nur noch {minutes} Geschäftsminuten.", "Next response: only {minutes} business minutes left."],
  "reason.sla.next_response.breached": ["Nächste Antwort: Ziel von {hours} Geschäftsstunden verfehlt.", "Next response: the target of {hours} business hours is missed."],
  "reason.sla.next_response.late": ["Nächste Antwort: nach dem Ziel von {hours} Geschäftsstunden beantwortet.", "Next response: answered after the target of {hours} business hours."],
  "reason.sla.next_response.met": ["Nächste Antwort: innerhalb von {hours} Geschäftsstunden beantwortet.", "Next response: answered within {hours} business hours."],
  "reason.sla.solution.running": ["Lösung: noch {minutes} Geschäftsminuten.", "Solution: {minutes} business minutes left."],
  "reason.sla.solution.warning": ["Lösung: nur noch {minutes} Geschäftsminuten.", "Solution: only {minutes} business minutes left."],
  "reason.sla.solution.breached": ["Lösung: Ziel von {hours} Geschäftsstunden verfehlt.", "Solution: the target of {hours} business hours is missed."],
  "reason.sla.solution.late": ["Lösung: nach dem Ziel von {hours} Geschäftsstunden abgeschlossen.", "Solution: closed after the target of {hours} business hours."],
  "reason.sla.solution.met": ["Lösung: innerhalb von {hours} Geschäftsstunden abgeschlossen.", "Solution: closed within {hours} business hours."],
  "reason.text": ["{text}", "{text}"],
  "pub.ticket.title": ["Ihre Anfrage", "Your request"], "pub.invalid.title": ["Link ungültig", "Link not valid"],
  "pub.invalid": ["Dieser Link ist ungültig oder abgelaufen. Bitte schreiben Sie uns eine E-Mail oder nutzen Sie das Kontaktformular.", "This link is invalid or has expired. Please write us an e-mail or use the contact form."],
  "pub.contact.link": ["Zum Kontaktformular", "To the contact form"], "pub.status": ["Status:", "Status:"],
  "pub.dates": ["Eingegangen {created}, zuletzt geändert {updated}", "Received {created}, last updated {updated}"],
  "pub.us": ["Unser Team", "Our team"], "pub.you": ["Sie", "You"], "pub.reply.title": ["Antworten", "Reply"],
  "pub.reply.body": ["Ihre Nachricht", "Your message"], "pub.reply.send": ["Nachricht senden", "Send message"],
  "pub.reply.done": ["Danke, Ihre Nachricht ist angekommen.", "Thank you, your message has arrived."],
  "pub.contact.title": ["Kontakt", "Contact"], "pub.contact.intro": ["Schreiben Sie uns – Sie erhalten eine Bestätigung per E-Mail.", "Write to us – you will get a confirmation by e-mail."],
  "pub.contact.name": ["Ihr Name", "Your name"], "pub.contact.email": ["Ihre E-Mail-Adresse", "Your e-mail address"],
  "pub.contact.subject": ["Betreff", "Subject"], "pub.contact.body": ["Ihre Nachricht", "Your message"], "pub.contact.send": ["Absenden", "Send"],
  "pub.contact.missing": ["Bitte E-Mail-Adresse, Betreff und Nachricht ausfüllen.", "Please fill in e-mail address, subject and message."],
  "pub.contact.thanks": ["Vielen Dank!", "Thank you!"], "pub.contact.number": ["Ihre Anfrage hat die Nummer {number}.", "Your request has the number {number}."],
  "pub.contact.received": ["Ihre Anfrage ist eingegangen.", "Your request has been received."],
  // no double replies (issue 12, part 3): 409 reply_conflict in the composer, on the customer page, batch skips
  "replyconflict.new_message": ["Der Kunde hat inzwischen geschrieben.", "The customer has written meanwhile."],
  "replyconflict.new_reply": ["Inzwischen wurde schon geantwortet.", "Someone has replied meanwhile."],
  "replyconflict.new_comment": ["Inzwischen gibt es einen neuen Kommentar.", "There is a new comment meanwhile."],
  "replyconflict.unsent": ["Ihre Antwort wurde nicht gesendet – Ihr Entwurf ist erhalten.", "Your reply was not sent – your draft is kept."],
  "replyconflict.mail": ["Nachricht von {name}", "Message from {name}"],
  "replyconflict.reply": ["Antwort von {name}", "Reply by {name}"],
  "replyconflict.comment": ["Kommentar von {name}", "Comment by {name}"],
  "replyconflict.send": ["Trotzdem senden", "Send anyway"], "replyconflict.keep": ["Entwurf behalten", "Keep draft"],
  "pub.conflict": ["Wir haben Ihnen inzwischen geschrieben (oben). Ihre Nachricht wurde noch nicht gesendet.", "We have written to you meanwhile (above). Your message has not been sent yet."],
  "pub.conflict.send": ["Trotzdem senden", "Send anyway"],
  "batch.error.reply_in_progress": ["übersprungen – {names} schreibt gerade eine Antwort", "skipped – {names} is writing a reply"],
  "batch.confirm.typing": ["Trotzdem ausführen", "Apply anyway"],
  // Outbound mail durability (send): delivery state of a sent mail, re-send.
  "send.retry": ["nicht zugestellt – wird automatisch erneut gesendet ({reason})", "not delivered – will be sent again automatically ({reason})"],
  "send.failed": ["nicht zugestellt ({reason})", "not delivered ({reason})"],
  "send.bounced": ["nicht zugestellt (Bounce: {reason})", "not delivered (bounce: {reason})"],
  "send.complained": ["Beschwerde: als Spam gemeldet ({reason})", "Complaint: reported as spam ({reason})"],
  "send.resend": ["Erneut senden", "Send again"], "send.resent": ["Erneut gesendet.", "Sent again."],
  "send.stillfailed": ["Der Versand ist wieder fehlgeschlagen; der Grund steht an der Nachricht.", "Sending failed again; the reason is shown on the message."],
  // data protection (DSGVO): delete for good, erase/anonymize a customer, audit log
  "priv.purge": ["Endgültig löschen", "Delete for good"],
  "priv.purge.confirm": ["{number} endgültig löschen? Nachrichten, Kommentare, Verlauf, Anhänge und Original-Mails werden gelöscht; das lässt sich nicht rückgängig machen.", "Delete {number} for good? Messages, comments, history, attachments and original mails are deleted; this cannot be undone."],
  "priv.purge.done": ["{number} ist endgültig gelöscht.", "{number} has been deleted for good."],
  "priv.title": ["Datenschutz", "Data protection"],
  "priv.erase.intro": ["Auskunft verlangt Löschung? Löscht oder anonymisiert den Kunden mit allen Tickets, Nachrichten und Dateien (DSGVO Art. 17).", "Asked to be forgotten? Deletes or anonymizes the customer with all tickets, messages and files (GDPR Art. 17)."],
  "priv.erase.open": ["Kunde löschen …", "Delete customer …"],
  "priv.erase.title": ["Kunde löschen oder anonymisieren", "Delete or anonymize customer"],
  "priv.preview.tickets": ["{n} Tickets (davon {shared} mit weiteren Beteiligten)", "{n} tickets ({shared} of them with other participants)"],
  "priv.preview.messages": ["{n} Nachrichten, {files} Anhänge", "{n} messages, {files} attachments"],
  "priv.preview.messages.min": ["{n} Nachrichten, mindestens {files} Anhänge", "{n} messages, at least {files} attachments"],
  "priv.preview.record": ["der Kundendatensatz", "the customer record"],
  "priv.preview.norecord": ["kein Kundendatensatz", "no customer record"],
  "priv.preview.others": ["ihre Nachrichten in Tickets anderer (werden beim Löschen gefunden)", "their messages in others' tickets (found while deleting)"],
  "priv.preview.audit": ["Im Protokoll steht danach nur „Kunde #{hash}“.", "The audit log will only say \"customer #{hash}\"."],
  "priv.mode": ["Art", "Mode"], "priv.mode.hint": ["Anonymisieren behält die Tickets für Statistik und Nachweise, ersetzt aber Name, Adresse, Telefon und Texte.", "Anonymizing keeps the tickets for statistics and records but replaces name, address, phone and texts."],
  "priv.mode.delete": ["Löschen", "Delete"], "priv.mode.anonymize": ["Anonymisieren", "Anonymize"],
  "priv.shared": ["Tickets mit weiteren Beteiligten", "Tickets with other participants"],
  "priv.shared.hint": ["Nur ihre Nachrichten entfernen lässt die der anderen stehen.", "Removing only their messages keeps the others' ones."],
  "priv.shared.delete": ["ganz löschen", "delete entirely"], "priv.shared.keep": ["nur ihre Nachrichten entfernen", "remove only their messages"],
  "priv.confirm": ["Zur Bestätigung die Adresse eingeben: {email}", "Type the address to confirm: {email}"],
  "priv.erase.go": ["Endgültig ausführen", "Carry out for good"],
  "priv.erase.done": ["Erledigt: Kunde #{hash} ist gelöscht.", "Done: customer #{hash} is deleted."],
  "priv.erase.running": ["Läuft: der Rest wird im Hintergrund erledigt (siehe Administration → Protokoll).", "Running: the rest is done in the background (see Administration → Audit log)."],
  "adm.audit": ["Protokoll", "Audit log"],
  "priv.audit.intro": ["Wer wann was geändert hat: Konfiguration (vorher → nachher), endgültig gelöschte Tickets, gelöschte Kunden.", "Who changed what and when: configuration (before → after), tickets deleted for good, deleted customers."],
  "priv.audit.month": ["Monat", "Month"], "priv.audit.count": ["{n} Einträge", "{n} entries"], "priv.audit.empty": ["Keine Einträge in diesem Monat.", "No entries this month."],
  "priv.audit.created": ["angelegt", "created"], "priv.audit.deleted": ["gelöscht", "deleted"],
  "priv.col.at": ["Zeit", "Time"], "priv.col.actor": ["Wer", "Who"], "priv.col.action": ["Aktion", "Action"],
  "priv.col.target": ["Was", "What"], "priv.col.change": ["Änderung", "Change"], "priv.col.customer": ["Kunde", "Customer"],
  "priv.col.state": ["Stand", "State"], "priv.col.counts": ["Umfang", "Scope"],
  "priv.jobs": ["Löschaufträge", "Erasure jobs"], "priv.job.done": ["fertig", "done"], "priv.job.running": ["läuft ({phase})", "running ({phase})"],
  "priv.action.config.put": ["Konfiguration gespeichert", "configuration saved"],
  "priv.action.config.delete": ["Konfiguration gelöscht", "configuration deleted"],
  "priv.action.ticket.deleted": ["Ticket endgültig gelöscht", "ticket deleted for good"],
  "priv.action.customer.deleted": ["Kunde gelöscht", "customer deleted"],
  "priv.action.customer.anonymized": ["Kunde anonymisiert", "customer anonymized"],
  "adm.set.trash": ["Papierkorb automatisch leeren nach (Tagen, 0 = nie)", "Empty the trash automatically after (days, 0 = never)"],
  "adm.set.privacy": ["Datenschutz", "Data protection"],
  "adm.set.retention": ["Abgeschlossene Tickets aufbewahren (Jahre, 0 = unbegrenzt)", "Keep closed tickets (years, 0 = forever)"],
  "adm.set.retention.hint": ["Ältere, seitdem unveränderte Tickets erledigt der regelmäßige Lauf; eine Warteschlange kann eigene Jahre haben.", "Older tickets unchanged since are handled by the scheduled job; a queue may have its own years."],
  "adm.set.retention.action": ["Danach", "Then"],
  "priv.action.ticket.anonymized": ["Tickets anonymisiert", "tickets anonymized"],
  // notifications (issue 12, part 4): bell, list, my settings, the admin's system sender
  "ntf.title": ["Benachrichtigungen", "Notifications"], "ntf.bell": ["Benachrichtigungen: {n} ungelesen", "Notifications: {n} unread"],
  "ntf.bell.one": ["Benachrichtigungen: 1 ungelesen", "Notifications: 1 unread"],
  "ntf.allread": ["Alle gelesen", "Mark all read"], "ntf.settings": ["Einstellungen", "Settings"],
  "ntf.empty": ["Keine Benachrichtigungen", "No notifications"],
  "ntf.kind.new_ticket": ["Neues Ticket {number}", "New ticket {number}"],
  "ntf.kind.assigned": ["{number} wurde Ihnen zugewiesen", "{number} was assigned to you"],
  "ntf.kind.customer_replied": ["Kunde antwortete auf {number}", "Customer replied on {number}"],
  "ntf.kind.mentioned": ["Sie wurden in {number} erwähnt", "You were mentioned in {number}"],
  "ntf.kind.reopened": ["{number} wurde wieder geöffnet", "{number} was reopened"],
  "ntf.kind.deadline_missed": ["Frist von {number} überschritten", "Deadline of {number} missed"],
  "ntf.reason.assignee": ["Ihr Ticket", "your ticket"], "ntf.reason.queue_responsible": ["Sie sind für die Queue verantwortlich", "you are responsible for the queue"],
  "ntf.reason.queue_member": ["Ihre Queue", "your queue"], "ntf.reason.queue_open": ["Queue für alle", "queue open to everyone"],
  "ntf.reason.mentioned": ["erwähnt", "mentioned"],
  "ntf.actor.system": ["System", "system"], "ntf.actor.customer": ["Kunde", "customer"],
  "ntf.prefs.title": ["Meine Benachrichtigungen", "My notifications"],
  "ntf.prefs.intro": ["Worüber Sie wie informiert werden: in der App (Glocke) und per E-Mail.", "What you are told about, and how: in the app (bell) and by e-mail."],
  "ntf.prefs.event": ["Ereignis", "Event"], "ntf.prefs.saved": ["Einstellungen gespeichert", "Settings saved"],
  "ntf.channel.app": ["App", "App"], "ntf.channel.mail": ["E-Mail", "E-mail"],
  "ntf.pref.new_ticket": ["Neues Ticket in meiner Queue", "New ticket in my queue"],
  "ntf.pref.assigned": ["Ticket mir zugewiesen", "Ticket assigned to me"],
  "ntf.pref.customer_replied": ["Kunde antwortete (mein Ticket oder unzugewiesen in meiner Queue)", "Customer replied (my ticket, or unassigned in my queue)"],
  "ntf.pref.mentioned": ["@Erwähnung in einem Kommentar", "@mention in a comment"],
  "ntf.pref.reopened": ["Mein Ticket wieder geöffnet", "My ticket reopened"],
  "ntf.pref.deadline_missed": ["Frist überschritten (Fälligkeit, Erstreaktion)", "Deadline missed (due date, first response)"],
  "ntf.set.sender": ["Absender der Benachrichtigungen", "Sender of notifications"],
  "ntf.set.sender.hint": ["leer: notifications@<Maildomain>; Mails von hier werden nie zu Tickets", "empty: notifications@<mail domain>; mail from it never becomes a ticket"],
  "ntf.nav.settings": ["Mein Konto", "My settings"],
};

const listeners = new Set();
let current = initial();

function initial() {
  try {
    const stored = localStorage.getItem(KEY);
    if (stored === "de" || stored === "en") return stored;
  } catch {
    /* storage blocked */
  }
  return "de";
}

export function lang() {
  return current;
}

export function setLang(next, { remember = true } = {}) {
  if (next !== "de" && next !== "en") return;
  if (remember) {
    try {
      localStorage.setItem(KEY, next);
    } catch {
      /* storage blocked: the choice lasts for this page */
    }
  }
  if (next === current) return;
  current = next;
  for (const fn of listeners) fn(next);
}

export function onLangChange(fn) {
  listeners.add(fn);
}

export function has(key) {
  return Object.prototype.hasOwnProperty.call(S, key);
}

/** t("inbox.count", {n: 3}) → "3 Tickets"; with n === 1 the key's ".one" form is used when there is one. */
export function t(key, vars) {
  if (vars && vars.n === 1 && S[`${key}.one`]) key = `${key}.one`;
  const entry = S[key];
  if (!entry) {
    console.warn("i18n: missing", key);
    return key;
  }
  const text = entry[current === "en" ? 1 : 0];
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (all, name) => (name in vars ? String(vars[name]) : all));
}

const locale = () => (current === "en" ? "en-GB" : "de-DE");

function date(value) {
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

export function fmtDate(value) {
  const d = date(value);
  if (!d) return "";
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const [y, m, day] = value.split("-").map(Number);
    return new Intl.DateTimeFormat(locale(), { dateStyle: "medium" }).format(new Date(y, m - 1, day));
  }
  return new Intl.DateTimeFormat(locale(), { dateStyle: "medium" }).format(d);
}

export function fmtDateTime(value) {
  const d = date(value);
  return d ? new Intl.DateTimeFormat(locale(), { dateStyle: "medium", timeStyle: "short" }).format(d) : "";
}

export function fmtRelative(value) {
  const d = date(value);
  if (!d) return "";
  const seconds = (d.getTime() - Date.now()) / 1000;
  const abs = Math.abs(seconds);
  const rtf = new Intl.RelativeTimeFormat(locale(), { numeric: "auto", style: "short" });
  if (abs < 60) return rtf.format(Math.round(seconds), "second");
  if (abs < 3600) return rtf.format(Math.round(seconds / 60), "minute");
  if (abs < 86400) return rtf.format(Math.round(seconds / 3600), "hour");
  if (abs < 7 * 86400) return rtf.format(Math.round(seconds / 86400), "day");
  return fmtDate(value);
}

export function fmtNumber(value, digits = 0) {
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: digits }).format(value);
}

export function fmtHours(hours) {
  if (hours === null || hours === undefined) return "–";
  if (hours < 1) return t("unit.min", { n: fmtNumber(hours * 60) });
  if (hours < 48) return t("unit.h", { n: fmtNumber(hours, 1) });
  return t("unit.d", { n: fmtNumber(hours / 24, 1) });
}

export function fmtSize(bytes) {
  if (!bytes && bytes !== 0) return "";
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${fmtNumber(bytes / 1024, 0)} KB`;
  return `${fmtNumber(bytes / 1024 / 1024, 1)} MB`;
}
