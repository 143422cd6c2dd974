class M < ActiveRecord::Migration[7.1]
  def change
    revert do
      create_table :coupons do |t|
        t.string :code
      end
    end
  end
end
