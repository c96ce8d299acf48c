import { alipayTestCodeList, testCodeList, type Behaviour } from './test-codes.ts';
import type { Wallet } from '../../shared/payment-code.ts';

/**
 * The "customer phone": a page that plays the customer's WeChat Pay or Alipay payment-code
 * screen for training and demos (`?wallet=alipay` for Alipay's `28…` test codes). Every URL in it is relative, so it works both standalone (/phone) and
 * mounted by the product server (/simulator/phone). Plain HTML, a little inline script.
 */
export const CODE_REFRESH_SECONDS = 60;

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** "130000123456789012" → "1300 0012 3456 7890 12", the way WeChat prints the digits. */
export const groupDigits = (code: string) => code.replace(/(\d{4})(?=\d)/g, '$1 ');

/** What differs between the two wallets' phone screens: colours, names, where the trades are read. */
const LOOK = {
  wechat: { title: '微信支付 · 付款码', background: '#2aae67', button: '#07c160', control: 'control/orders', list: testCodeList },
  alipay: { title: '支付宝 · 付钱 Alipay', background: '#1677ff', button: '#1677ff', control: 'control/alipay/orders', list: alipayTestCodeList },
} as const;

export function phonePage(code: string, behaviour: Behaviour, wallet: Wallet = 'wechat'): string {
  const look = LOOK[wallet];
  const options = look
    .list()
    .map((b) => `<option value="${b.behaviour}"${b.behaviour === behaviour ? ' selected' : ''}>${escapeHtml(b.zh)} · ${escapeHtml(b.behaviour)}</option>`)
    .join('');
  const hint = look.list().find((b) => b.behaviour === behaviour) ?? look.list()[0]!;
  const other: Wallet = wallet === 'wechat' ? 'alipay' : 'wechat';
  const otherName = other === 'alipay' ? '支付宝 Alipay' : '微信支付 WeChat Pay';
  const q = encodeURIComponent(code);
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>付款码 · Payment code (simulator)</title>
<style>
  * { box-sizing: border-box; }
  body { margin: 0; font: 16px/1.4 system-ui, "Noto Sans CJK SC", sans-serif; background: ${look.background}; color: #111; }
  header { color: #fff; padding: 12px 16px; font-weight: 600; display: flex; justify-content: space-between; }
  header small { font-weight: 400; opacity: .85; }
  main { background: #fff; margin: 0 8px 12px; border-radius: 10px; padding: 14px 8px 16px; text-align: center; }
  h1 { font-size: 17px; margin: 0 0 10px; }
  .codes img { display: block; margin: 0 auto; image-rendering: pixelated; }
  .digits { font: 600 20px/1.3 ui-monospace, "DejaVu Sans Mono", monospace; letter-spacing: 1px; margin: 6px 0 10px; }
  #status { margin: 12px 4px; padding: 10px; border-radius: 8px; background: #f2f2f2; font-weight: 600; }
  #status.paid { background: #e3f6ea; color: #106b3a; }
  #status.failed { background: #fdeaea; color: #a11d1d; }
  #status.waiting { background: #fff6dc; color: #7a5500; }
  #password[hidden] { display: none; }
  #password { display: flex; gap: 10px; margin: 0 4px 12px; }
  #password button { flex: 1; }
  button { font: inherit; font-weight: 600; padding: 12px; border-radius: 8px; border: 1px solid #bbb; background: #fff; }
  button.primary { background: ${look.button}; border-color: ${look.button}; color: #fff; }
  header a { color: #fff; }
  button.danger { color: #a11d1d; border-color: #e0a0a0; }
  .tools { display: grid; gap: 8px; margin: 8px 4px 0; text-align: left; }
  label { font-size: 14px; color: #444; }
  select { width: 100%; font: inherit; padding: 8px; margin-top: 4px; }
  .hint, #countdown { font-size: 13px; color: #666; margin: 0; }
</style>
</head>
<body>
<header><span id="wallet" data-wallet="${wallet}">${look.title}</span><small>模拟器 Simulator · <a id="switch" href="?wallet=${other}">${otherName}</a></small></header>
<main>
  <h1>向商家付款 · Show to the cashier</h1>
  <div class="codes">
    <img id="barcode" src="phone/code128.svg?code=${q}" alt="Code 128 ${code}">
    <p class="digits" id="digits">${groupDigits(code)}</p>
    <img id="qr" src="phone/qrcode.svg?code=${q}" alt="QR ${code}">
  </div>
  <div id="status" role="status">请向收银员出示付款码 · Waiting for the cashier to scan</div>
  <div id="password" hidden>
    <button class="primary" id="confirm" type="button">确认支付 · Confirm</button>
    <button class="danger" id="decline" type="button">取消 · Decline</button>
  </div>
  <div class="tools">
    <label>测试场景 · Behaviour
      <select id="behaviour">${options}</select>
    </label>
    <p class="hint">${escapeHtml(hint.en)}</p>
    <button id="refresh" type="button">刷新付款码 · New code</button>
    <p id="countdown"></p>
  </div>
</main>
<script>
(() => {
  const code = ${JSON.stringify(code)};
  // From another device the control API wants the token of this page's link (#token=…).
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  const auth = token ? { 'x-simulator-token': token } : {};
  const $ = (id) => document.getElementById(id);
  const status = $('status'), password = $('password');
  let order = null, left = ${CODE_REFRESH_SECONDS};
  const wallet = ${JSON.stringify(wallet)};
  $('switch').href += location.hash;
  const fresh = () => { location.href = '?wallet=' + wallet + '&behaviour=' + encodeURIComponent($('behaviour').value) + location.hash; };
  $('behaviour').onchange = fresh;
  $('refresh').onclick = fresh;
  const yuan = (fen) => '¥' + (fen / 100).toFixed(2);
  const show = (cls, text) => { status.className = cls; status.textContent = text; };
  // An Alipay trade in the WeChat order's terms, so one renderer shows both.
  const asOrder = (o) => wallet === 'wechat' ? o : {
    out_trade_no: o.out_trade_no,
    total_fee: o.total_fen,
    trade_state: o.trade_status === 'WAIT_BUYER_PAY' ? 'USERPAYING'
      : o.trade_status === 'TRADE_CLOSED' ? (o.cancel_action ? 'REVOKED' : o.refunds.length ? 'REFUND' : 'PAYERROR')
      : o.refunds.length ? 'REFUND' : 'SUCCESS',
  };
  function render(o) {
    password.hidden = o.trade_state !== 'USERPAYING';
    const amount = yuan(o.total_fee);
    switch (o.trade_state) {
      case 'USERPAYING': return show('waiting', '请输入支付密码 ' + amount + ' · Enter your password to pay ' + amount);
      case 'SUCCESS': return show('paid', '支付成功 ' + amount + ' · Paid ' + amount);
      case 'REFUND': return show('paid', '已退款（部分或全部）' + amount + ' · Paid ' + amount + ', refunded in part or in full');
      case 'REVOKED': return show('failed', '交易已撤销，未扣款 · Reversed: you were not charged');
      case 'PAYERROR': return show('failed', '支付失败 · Payment failed');
      case 'ACCEPT': return show('waiting', '扣款中 ' + amount + ' · Being debited ' + amount);
      default: return show('failed', '未支付 · Not paid (' + o.trade_state + ')');
    }
  }
  async function act(path) {
    if (!order) return;
    password.hidden = true;
    await fetch(${JSON.stringify(look.control)} + '/' + encodeURIComponent(order.out_trade_no) + '/' + path, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{}' });
    poll();
  }
  $('confirm').onclick = () => act('confirm');
  $('decline').onclick = () => act('decline');
  async function poll() {
    try {
      const res = await fetch(${JSON.stringify(look.control)} + '?auth_code=' + code, { cache: 'no-store', headers: auth });
      const list = res.ok ? await res.json() : [];
      if (list.length) { order = asOrder(list[0]); render(order); }
    } catch { /* the simulator restarted; keep trying */ }
  }
  setInterval(poll, 1000);
  setInterval(() => {
    if (order) { $('countdown').textContent = '付款码已使用 · This code has been used'; return; }
    left -= 1;
    if (left <= 0) return fresh();
    $('countdown').textContent = left + ' 秒后自动刷新 · New code in ' + left + ' s';
  }, 1000);
  poll();
})();
</script>
</body>
</html>
`;
}
