import { dltSnakeCase } from '../../src/align/snakeCase';

/**
 * The names alignment meets most often, as dlt 1.26 names them (checked by
 * running dlt's snake_case.py; dlt's own vectors are in dltNaming.test.ts).
 */
describe("dlt's snake_case naming", () => {
  it.each([
    ['CreatedAt', 'created_at'],
    ['InvoiceId', 'invoice_id'],
    ['BillingCity', 'billing_city'],
    ['customerID', 'customer_id'],
    ['HTTPServer', 'http_server'],
    ['HTTPResponseCode', 'http_response_code'],
    ['order_total', 'order_total'],
    ['  Order Total ', 'order_total'],
    ['Order Total ($)', 'order_totalx'],
    ['e-mail', 'e_mail'],
    ['price+tax', 'pricextax'],
    ['1st_line', '_1st_line'],
    ['trailing_', 'trailingx'],
    // A column name is normalized as a path: __ separates nested names and stays.
    ['a__b', 'a__b'],
    ['a___b', 'a___b'],
  ])('%s → %s', (input, expected) => {
    expect(dltSnakeCase(input)).toBe(expected);
  });
});
