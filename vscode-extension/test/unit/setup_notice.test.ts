import assert from "node:assert/strict";
import { test } from "node:test";
import { SetupNotice, noticeText } from "../../src/setup_notice";
import { resetStub, shown } from "../stub/vscode";

const missing = {
  message: "Waivern: the language server is not installed in /usr/bin/python3 (…): no module named waivern_lsp.",
  fix: "/usr/bin/python3 -m pip install waivern-tooling",
};
const notFound = { message: 'Waivern: the Python interpreter "/nope" (from waivern.server.pythonPath) was not found.' };

const tick = () => new Promise((resolve) => setImmediate(resolve));

test("the notice says why with short links: choose, install (when pip fixes it), the log", () => {
  assert.equal(
    noticeText(missing),
    "the language server is not installed in /usr/bin/python3 (…): no module named waivern_lsp. " +
      "[Choose Interpreter](command:waivern.chooseInterpreter) · [Install](command:waivern.installServer) · " +
      "[Show Log](command:waivern.showLog)",
  );
  assert.doesNotMatch(noticeText(notFound), /Install/);
});

test("failures while the setting is being fixed update one notice, which closes once the server runs", async () => {
  resetStub();
  const notice = new SetupNotice();
  notice.show(missing, false);
  notice.show(notFound, false); // the next change of the setting
  notice.show(missing, false);
  assert.equal(shown.progress.length, 1);
  const open = shown.progress[0];
  assert.ok(open);
  assert.equal(open.title, "Waivern");
  assert.equal(open.reports.length, 3);
  assert.match(open.reports.at(-1)?.message ?? "", /not installed/);
  assert.equal(notice.showing, true);

  notice.close(); // the server started
  await tick();
  assert.equal(open.done, true);
  assert.equal(notice.showing, false);
  assert.equal(shown.messages.length, 0); // no message notifications at all
});

test("a dismissed notice stays away until the user asks for the server again", async () => {
  resetStub();
  const notice = new SetupNotice();
  notice.show(missing, false);
  shown.progress[0]?.cancel();
  await tick();
  notice.show(notFound, false); // a setting change restarted it: still away
  assert.equal(shown.progress.length, 1);
  notice.show(notFound, true); // Restart Server, a run, the status bar
  assert.equal(shown.progress.length, 2);
});
