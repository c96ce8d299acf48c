import { describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { BillFormatError, parseDetailCsv, readBillZip } from '../../../server/alipay/bill.ts';
import { zip } from '../../../server/simulator/alipay/zip.ts';

const DETAIL = [
  '#支付宝业务明细查询',
  '#账号：[20881234567890120156]',
  '#起始日期：[2026年11月27日 00:00:00]   终止日期：[2026年11月28日 00:00:00]',
  '#-----------------------------------------业务明细列表----------------------------------------',
  '支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,对方账户,订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,券核销金额（元）,券名称,商家红包消费金额（元）,卡消费金额（元）,退款批次号/请求号,服务费（元）,分润（元）,备注',
  '2026112722001478401406617362\t,P1\t,交易,"咖啡, 大杯"\t,2026-11-27 10:00:00,2026-11-27 10:00:05,S01\t,门店\t,\t,T1\t,159******20\t,12.34,12.34,0.00,0.00,0.00,0.00,0.00,\t,0.00,0.00,\t,-0.07,0.00,\t',
  '2026112722001478401406617362\t,P1\t,退款,"咖啡, 大杯"\t,2026-11-27 10:00:00,2026-11-27 11:00:00,S01\t,门店\t,\t,T1\t,159******20\t,-2.00,-2.00,0.00,0.00,0.00,0.00,0.00,\t,0.00,0.00,R1\t,0.01,0.00,\t',
  '#-----------------------------------------业务明细列表结束------------------------------------',
  '#交易合计：1笔，商家实收共12.34元，商家优惠共0.00元',
  '#退款合计：1笔，商家实收退款共-2.00元，商家优惠退款共0.00元',
  '#导出时间：[2026年11月28日 09:15:03]',
].join('\r\n');

const time = { year: 2026, month: 11, day: 28, hour: 9, minute: 15, second: 3 };

describe('reading Alipay’s bill', () => {
  it('reads payments and refunds in fen, with tabs trimmed and quoted commas kept', () => {
    const bill = parseDetailCsv(DETAIL);
    expect(bill.account).toBe('20881234567890120156');
    expect(bill.records).toEqual([
      expect.objectContaining({ trade_no: '2026112722001478401406617362', out_trade_no: 'P1', kind: 'payment', subject: '咖啡, 大杯', amount_fen: 1_234, receipt_fen: 1_234, fee_fen: -7, terminal_id: 'T1', out_request_no: '' }),
      expect.objectContaining({ kind: 'refund', amount_fen: -200, fee_fen: 1, out_request_no: 'R1', finished_at: '2026-11-27 11:00:00' }),
    ]);
  });

  it('reads the layout of bills captured from Alipay: LF lines, store columns, an empty 券名称, a tab after 商家红包消费金额', () => {
    // Modelled on public captures of Alipay trade bills (values ours): refunds carry negative amounts and the request number.
    const captured = [
      '#支付宝业务明细查询',
      '#账号：[20880000000000990156]',
      '#起始日期：[2026年11月27日 00:00:00]   终止日期：[2026年11月28日 00:00:00]',
      '#-----------------------------------------业务明细列表----------------------------------------',
      DETAIL.split('\r\n')[4],
      '2026112722001400000000000101\t,ord_1\t,交易\t,下单测试,2026-11-27 10:55:16,2026-11-27 10:55:23,shop_a\t,shop_a\t,op\t,\t,*三(602***@qq.com)\t,0.01,0.01,0.00,0.00,0.00,0.00,0.00,,0.00\t,0.00,\t,0.00,0.00,下单测试',
      '2026112722001400000000000101\t,ord_1\t,退款\t,下单测试,2026-11-27 10:55:16,2026-11-27 10:56:48,shop_a\t,shop_a\t,op\t,\t,*三(602***@qq.com)\t,-0.01,-0.01,0.00,0.00,0.00,0.00,0.00,,0.00\t,0.00,re_1\t,0.00,0.00,下单测试',
      '#-----------------------------------------业务明细列表结束------------------------------------',
      '#交易合计：1笔，商家实收共0.01元，商家优惠共0.00元',
      '#退款合计：1笔，商家实收退款共-0.01元，商家优惠退款共0.00元',
      '#导出时间：[2026年11月28日 05:46:49]',
      '',
    ].join('\n');
    expect(parseDetailCsv(captured).records).toEqual([
      expect.objectContaining({ trade_no: '2026112722001400000000000101', out_trade_no: 'ord_1', kind: 'payment', store_id: 'shop_a', amount_fen: 1, out_request_no: '', remark: '下单测试' }),
      expect.objectContaining({ kind: 'refund', amount_fen: -1, receipt_fen: -1, out_request_no: 're_1', finished_at: '2026-11-27 10:56:48' }),
    ]);
  });

  it('finds the detail file in a zip by its first line, whatever the entry names', () => {
    const files = zip([
      { name: iconv.encode('x_业务明细(汇总).csv', 'gbk'), data: iconv.encode('#支付宝业务汇总查询\r\n', 'gbk'), time },
      { name: iconv.encode('x_业务明细.csv', 'gbk'), data: iconv.encode(DETAIL, 'gbk'), time },
    ]);
    expect(readBillZip(files).records).toHaveLength(2);
  });

  it.each([
    ['a file cut off before the end marker', DETAIL.split('\r\n').slice(0, 6).join('\r\n'), /cut off/],
    ['a file without the list marker', DETAIL.replace(/#-+业务明细列表-+/, '#'), /no 业务明细列表 marker/],
    ['an amount that is not yuan', DETAIL.replace(',12.34,12.34,', ',12.3x,12.34,'), /not an amount in yuan/],
    ['an unknown 业务类型', DETAIL.replace(',交易,', ',转账,'), /neither 交易 nor 退款/],
  ])('refuses %s', (_what, text, message) => {
    expect(() => parseDetailCsv(text)).toThrow(BillFormatError);
    expect(() => parseDetailCsv(text)).toThrow(message);
  });

  it('refuses bytes that are not a zip', () => {
    expect(() => readBillZip(new TextEncoder().encode('<html>expired</html>'))).toThrow(/not a zip/);
  });
});
