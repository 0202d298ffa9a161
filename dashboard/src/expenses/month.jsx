import { useMonth, setMonth } from "./data.js";

export function MonthPicker() {
  const month = useMonth();
  return (
    <div class="month-picker">
      <label for="month-picker">Month</label>
      <input id="month-picker" type="month" value={month} onChange={(e) => setMonth(e.target.value)} />
    </div>
  );
}
