import { dltSnakeCase } from '../../src/align/snakeCase';

describe("dlt's snake_case naming", () => {
  it.each([
    ['CreatedAt', 'created_at'],
    ['InvoiceId', 'invoice_id'],
    ['BillingCity', 'billing_city'],
    ['customerID', 'customer_id'],
    ['HTTPServer', 'http_server'],
    ['order_total', 'order_total'],
    ['  Order Total ', 'order_total'],
    ['e-mail', 'e_mail'],
    ['price+tax', 'pricextax'],
    ['1st_line', '_1st_line'],
    ['trailing_', 'trailingx'],
    ['a__b', 'a_b'],
  ])('%s → %s', (input, expected) => {
    expect(dltSnakeCase(input)).toBe(expected);
  });
});
